/// \file
/// Shape and layout kernels: ops that move elements without computing on them
/// (Reshape ... Pad), plus the shape queries and constant generators. Apart from
/// Range they never look at element values, so every element type is handled
/// by moving dtype_size() bytes; pure re-interpretations return views.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/shape_util.h"
#include "runtime/op_registry.h"

namespace ptqc {

namespace {

/// A list argument that was an attribute before \p since_opset and input \p input_index
/// from then on (Squeeze/Unsqueeze axes, Split split). Empty when absent.
std::vector<int64_t> attribute_or_input(const OpContext& ctx, const std::string& name, size_t input_index,
                                        int64_t since_opset) {
  if (ctx.opset() < since_opset) return ctx.node().attr_ints(name);
  return optional_input_as_int64(ctx, input_index);
}

/// A one-element tensor's bytes, checked to be a single element of \p dtype.
const std::byte* single_element(const OpContext& ctx, const Tensor& t, DataType dtype, const std::string& what) {
  if (t.numel() != 1) ctx.fail(what + " must have one element, got shape " + shape_string(t.shape()));
  if (t.dtype() != dtype) ctx.fail(what + " must be " + dtype_name(dtype) + ", got " + dtype_name(t.dtype()));
  return t.raw();
}

// ---------------------------------------------------------------- views

/// The Reshape target: 0 copies the input dim at the same index (unless \p allowzero),
/// -1 is inferred so that the element counts match.
Shape reshape_target(const OpContext& ctx, const Shape& in, const std::vector<int64_t>& requested, bool allowzero) {
  Shape out = requested;
  int64_t inferred = -1, known = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == 0 && !allowzero) {
      if (i >= in.size())
        ctx.fail("shape entry " + std::to_string(i) + " is 0 but the input has rank " + std::to_string(in.size()));
      out[i] = in[i];
    } else if (out[i] == -1) {
      if (inferred >= 0) ctx.fail("shape has more than one -1");
      inferred = static_cast<int64_t>(i);
      continue;
    } else if (out[i] < -1) {
      ctx.fail("shape entry " + std::to_string(out[i]) + " is invalid");
    }
    known = checked_mul(ctx, known, out[i], "the product of the shape entries");
  }
  const int64_t numel = shape_numel(in);
  if (inferred >= 0) {
    if (known == 0 || numel % known != 0) {
      ctx.fail("cannot infer the -1 of shape " + shape_string(requested) + " for " + std::to_string(numel) +
               " elements");
    }
    out[static_cast<size_t>(inferred)] = numel / known;
  }
  if (shape_numel(out) != numel) {
    ctx.fail("cannot reshape " + shape_string(in) + " (" + std::to_string(numel) + " elements) to " +
             shape_string(out) + " (" + std::to_string(shape_numel(out)) + " elements)");
  }
  return out;
}

void reshape_kernel(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  const bool allowzero = ctx.node().attr_int("allowzero", 0) != 0;
  ctx.set_output(0, data.reshaped(reshape_target(ctx, data.shape(), input_as_int64(ctx, 1), allowzero)));
}

/// Flatten: [d0 .. dn) -> [d0*..*d(axis-1), d(axis)*..*d(n-1)], axis in [-rank, rank].
void flatten_kernel(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  const int64_t rank = data.rank();
  int64_t axis = ctx.node().attr_int("axis", 1);
  if (axis < -rank || axis > rank)
    ctx.fail("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  if (axis < 0) axis += rank;
  const Shape& s = data.shape();
  ctx.set_output(0, data.reshaped({shape_numel(Shape(s.begin(), s.begin() + axis)),
                                   shape_numel(Shape(s.begin() + axis, s.end()))}));
}

/// Squeeze: removes the listed size-1 dims, or every size-1 dim when no axes are given.
void squeeze_kernel(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  const std::vector<int64_t> axes = normalize_axes(ctx, attribute_or_input(ctx, "axes", 1, 13), data.rank());
  Shape out;
  for (int64_t d = 0; d < data.rank(); ++d) {
    const bool listed = std::find(axes.begin(), axes.end(), d) != axes.end();
    if (listed && data.dim(d) != 1) {
      ctx.fail("cannot squeeze axis " + std::to_string(d) + " of size " + std::to_string(data.dim(d)));
    }
    if (!(listed || (axes.empty() && data.dim(d) == 1))) out.push_back(data.dim(d));
  }
  ctx.set_output(0, data.reshaped(out));
}

/// Unsqueeze: inserts size-1 dims at the listed positions of the output.
void unsqueeze_kernel(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  const std::vector<int64_t> requested = attribute_or_input(ctx, "axes", 1, 13);
  if (requested.empty()) ctx.fail("axes are required");
  const int64_t out_rank = data.rank() + static_cast<int64_t>(requested.size());
  const std::vector<int64_t> axes = normalize_axes(ctx, requested, out_rank);
  Shape out;
  for (int64_t d = 0, next = 0; d < out_rank; ++d) {
    const bool inserted = std::find(axes.begin(), axes.end(), d) != axes.end();
    out.push_back(inserted ? 1 : data.dim(next++));
  }
  ctx.set_output(0, data.reshaped(out));
}

void identity_kernel(OpContext& ctx) { ctx.set_output(0, ctx.input(0)); }

/// Dropout at inference: output = input; the optional mask keeps every element
/// (bool true from opset 10, a tensor of ones of the input type before).
void dropout_kernel(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  const Tensor* training = ctx.optional_input(2);
  if (training && training->numel() == 1 && training->to_int64_vector()[0] != 0) {
    ctx.unsupported("training_mode=true (random dropout)");
  }
  ctx.set_output(0, data);
  if (ctx.num_outputs() < 2 || ctx.node().outputs[1].empty()) return;
  const DataType mask_type = ctx.opset() >= 10 ? DataType::kBool : data.dtype();
  const Tensor one = cast_tensor(Tensor::scalar<bool>(true), mask_type);
  Tensor& mask = ctx.make_output(1, mask_type, data.shape());
  fill_elements(mask.raw(), one.raw(), dtype_size(mask_type), mask.numel());
}

// ---------------------------------------------------------------- queries

/// Shape: the dims [start, end) of the input as int64 (negative bounds count from the end, then clamp).
void shape_kernel(OpContext& ctx) {
  const Shape& s = ctx.input(0).shape();
  const int64_t rank = static_cast<int64_t>(s.size());
  auto clamp_bound = [&](int64_t b) { return std::clamp(b < 0 ? b + rank : b, int64_t{0}, rank); };
  const int64_t start = clamp_bound(ctx.node().attr_int("start", 0));
  const int64_t end = clamp_bound(ctx.node().attr_int("end", rank));
  const std::vector<int64_t> dims(s.begin() + start, s.begin() + std::max(start, end));
  ctx.set_output(0, Tensor::from_vector(dims, {static_cast<int64_t>(dims.size())}));
}

void size_kernel(OpContext& ctx) { ctx.set_output(0, Tensor::scalar<int64_t>(ctx.input(0).numel())); }

// ---------------------------------------------------------------- generators

/// ConstantOfShape: a tensor of the given shape filled with the one-element `value`
/// attribute (float32 0 by default).
void constant_of_shape_kernel(OpContext& ctx) {
  const std::vector<int64_t> shape = input_as_int64(ctx, 0);
  for (int64_t d : shape) {
    if (d < 0) ctx.fail("shape " + shape_string(shape) + " has a negative dim");
  }
  const Tensor* attr = ctx.node().attr_tensor("value");
  const Tensor value = attr ? *attr : Tensor::scalar<float>(0.0f);
  const std::byte* element = single_element(ctx, value, value.dtype(), "attribute 'value'");
  Tensor& out = ctx.make_output(0, value.dtype(), shape);
  fill_elements(out.raw(), element, dtype_size(value.dtype()), out.numel());
}

/// Constant: the tensor of whichever value* attribute is set.
void constant_kernel(OpContext& ctx) {
  const Node& node = ctx.node();
  if (node.has_attr("value_string") || node.has_attr("value_strings")) ctx.unsupported("a string constant");
  if (node.has_attr("sparse_value")) ctx.unsupported("a sparse constant");
  if (const Tensor* t = node.attr_tensor("value")) return ctx.set_output(0, *t);
  if (node.has_attr("value_float")) return ctx.set_output(0, Tensor::scalar<float>(node.attr_float("value_float", 0)));
  if (node.has_attr("value_int")) return ctx.set_output(0, Tensor::scalar<int64_t>(node.attr_int("value_int", 0)));
  if (node.has_attr("value_floats")) {
    const std::vector<float> v = node.attr_floats("value_floats");
    return ctx.set_output(0, Tensor::from_vector(v, {static_cast<int64_t>(v.size())}));
  }
  if (node.has_attr("value_ints")) {
    const std::vector<int64_t> v = node.attr_ints("value_ints");
    return ctx.set_output(0, Tensor::from_vector(v, {static_cast<int64_t>(v.size())}));
  }
  ctx.fail("has no value attribute");
}

/// Number of Range elements: max(ceil((limit - start) / delta), 0); exact for integers
/// (the distance is taken in uint64, where it cannot overflow).
template <class T>
int64_t range_length(const OpContext& ctx, T start, T limit, T delta) {
  if constexpr (std::is_integral_v<T>) {
    const bool up = delta > T{0};
    if (up ? limit <= start : limit >= start) return 0;
    const uint64_t dist = up ? uint64_t(limit) - uint64_t(start) : uint64_t(start) - uint64_t(limit);
    const uint64_t step = up ? uint64_t(delta) : uint64_t{0} - uint64_t(delta);
    return static_cast<int64_t>(dist / step + (dist % step != 0));
  } else {
    const double count = std::ceil(static_cast<double>((limit - start) / delta));
    if (!(count < 1e15)) ctx.fail("start, limit and delta give no finite number of elements");
    return std::max<int64_t>(static_cast<int64_t>(count), 0);
  }
}

/// Range: output[i] = start + i * delta for i < max(ceil((limit - start) / delta), 0).
void range_kernel(OpContext& ctx) {
  const Tensor& start = ctx.input(0);
  const DataType dtype = start.dtype();
  for (size_t i = 0; i < 3; ++i) single_element(ctx, ctx.input(i), dtype, "input " + std::to_string(i));
  dispatch_numeric(ctx, dtype, [&](auto zero) {
    using T = decltype(zero);
    const T s = start.data<T>()[0], limit = ctx.input(1).data<T>()[0], delta = ctx.input(2).data<T>()[0];
    if (delta == T{0}) ctx.fail("delta must not be 0");
    const int64_t n = range_length(ctx, s, limit, delta);
    T* out = ctx.make_output(0, dtype, {n}).template data<T>();
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(s + static_cast<T>(i) * delta);
  });
}

// ---------------------------------------------------------------- layout copies

/// Transpose: out[i0..in) = in[i_perm^-1...], i.e. out dim d is input dim perm[d]
/// (default perm reverses the dims).
void transpose_kernel(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  const int64_t rank = data.rank();
  std::vector<int64_t> perm = ctx.node().attr_ints("perm");
  if (perm.empty()) {
    perm.resize(static_cast<size_t>(rank));
    std::iota(perm.rbegin(), perm.rend(), 0);
  }
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(static_cast<size_t>(rank));
  std::iota(identity.begin(), identity.end(), 0);
  if (sorted != identity)
    ctx.fail("perm " + shape_string(perm) + " is not a permutation of " + std::to_string(rank) + " dims");
  const std::vector<int64_t> in_strides = strides_of(data.shape());
  StridedCopy copy;
  for (int64_t p : perm) {
    copy.dims.push_back(data.dim(p));
    copy.src_strides.push_back(in_strides[static_cast<size_t>(p)]);
  }
  Tensor& out = ctx.make_output(0, data.dtype(), copy.dims);
  strided_copy(copy, data, out, copy_threads(ctx, out.numel()));
}

/// Concat along axis: every input contributes dim_i * inner contiguous elements per outer row.
void concat_kernel(OpContext& ctx) {
  const Tensor& first = ctx.input(0);
  if (!ctx.node().has_attr("axis")) ctx.fail("attribute 'axis' is required");
  const int64_t axis = checked_axis(ctx, ctx.node().attr_int("axis", 0), first.rank());
  Shape out_shape = first.shape();
  out_shape[static_cast<size_t>(axis)] = 0;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const Tensor& in = ctx.input(i);
    if (in.dtype() != first.dtype() || in.rank() != first.rank()) {
      ctx.fail("input " + std::to_string(i) + " (" + dtype_name(in.dtype()) + " " + shape_string(in.shape()) +
               ") does not match input 0 (" + dtype_name(first.dtype()) + " " + shape_string(first.shape()) + ")");
    }
    for (int64_t d = 0; d < first.rank(); ++d) {
      if (d != axis && in.dim(d) != first.dim(d)) {
        ctx.fail("input " + std::to_string(i) + " has shape " + shape_string(in.shape()) + ", input 0 has " +
                 shape_string(first.shape()) + " (concat axis " + std::to_string(axis) + ")");
      }
    }
    out_shape[static_cast<size_t>(axis)] += in.dim(axis);
  }
  Tensor& out = ctx.make_output(0, first.dtype(), out_shape);
  const int64_t outer = shape_numel(Shape(out_shape.begin(), out_shape.begin() + axis));
  const size_t row_bytes = outer ? out.nbytes() / static_cast<size_t>(outer) : 0;
  size_t offset = 0;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const Tensor& in = ctx.input(i);
    const size_t chunk = outer ? in.nbytes() / static_cast<size_t>(outer) : 0;
    parallel_for(copy_threads(ctx, out.numel()), outer, [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) {
        std::memcpy(out.raw() + static_cast<size_t>(o) * row_bytes + offset, in.raw() + static_cast<size_t>(o) * chunk,
                    chunk);
      }
    });
    offset += chunk;
  }
}

/// The Split part sizes: the `split` list, or num_outputs parts of ceil(dim / n) with a
/// smaller last part (opset 18; earlier opsets require an even split).
std::vector<int64_t> split_sizes(const OpContext& ctx, int64_t dim) {
  std::vector<int64_t> sizes = attribute_or_input(ctx, "split", 1, 13);
  const auto parts = static_cast<int64_t>(ctx.num_outputs());
  if (!sizes.empty()) {
    if (static_cast<int64_t>(sizes.size()) != parts) {
      ctx.fail("split has " + std::to_string(sizes.size()) + " entries for " + std::to_string(parts) + " outputs");
    }
    for (int64_t s : sizes) {
      if (s < 0) ctx.fail("split has a negative size");
    }
    if (std::accumulate(sizes.begin(), sizes.end(), int64_t{0}) != dim) {
      ctx.fail("split sizes do not add up to the axis size " + std::to_string(dim));
    }
    return sizes;
  }
  if (ctx.node().attr_int("num_outputs", parts) != parts) ctx.fail("num_outputs does not match the number of outputs");
  const int64_t chunk = (dim + parts - 1) / parts;
  if (ctx.opset() < 18 && dim % parts != 0) {
    ctx.fail("axis size " + std::to_string(dim) + " does not split evenly into " + std::to_string(parts) + " parts");
  }
  if (chunk * (parts - 1) > dim) {
    ctx.fail("axis size " + std::to_string(dim) + " cannot be split into " + std::to_string(parts) + " parts");
  }
  sizes.assign(static_cast<size_t>(parts), chunk);
  sizes.back() = dim - chunk * (parts - 1);
  return sizes;
}

/// Split: output j is the slice [begin_j, begin_j + size_j) of the axis.
void split_kernel(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  const int64_t axis = checked_axis(ctx, ctx.node().attr_int("axis", 0), data.rank());
  const std::vector<int64_t> sizes = split_sizes(ctx, data.dim(axis));
  const Shape& s = data.shape();
  const int64_t outer = shape_numel(Shape(s.begin(), s.begin() + axis));
  const int64_t inner = shape_numel(Shape(s.begin() + axis + 1, s.end()));
  // Every part is declared before any is copied (shape inference stops at the last one).
  int64_t begin = 0;
  for (size_t j = 0; j < sizes.size(); begin += sizes[j], ++j) {
    Shape out_shape = s;
    out_shape[static_cast<size_t>(axis)] = sizes[j];
    if (outer == 1) {  // each part is one contiguous run of the input: a view, no copy
      ctx.set_output(j, data.contiguous_view(begin * inner, out_shape));
    } else {
      ctx.make_output(j, data.dtype(), out_shape);
    }
  }
  if (outer == 1) return;
  begin = 0;
  for (size_t j = 0; j < sizes.size(); begin += sizes[j], ++j) {
    Tensor& out = ctx.output(j);
    const StridedCopy part{{outer, sizes[j] * inner}, {data.dim(axis) * inner, 1}, begin * inner};
    strided_copy(part, data, out, copy_threads(ctx, out.numel()));
  }
}

/// Expand: bidirectional broadcast of the input to the given shape.
void expand_kernel(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  const Shape out_shape = broadcast_shapes(ctx, data.shape(), input_as_int64(ctx, 1));
  Tensor& out = ctx.make_output(0, data.dtype(), out_shape);
  strided_copy({out_shape, broadcast_strides(data.shape(), out_shape), 0}, data, out, copy_threads(ctx, out.numel()));
}

/// Tile: out dim d = dim_d * repeats_d. The output is the input read as [r0, d0, r1, d1, ...]
/// with stride 0 on every repeat dim.
void tile_kernel(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  const std::vector<int64_t> repeats = input_as_int64(ctx, 1);
  if (static_cast<int64_t>(repeats.size()) != data.rank()) {
    ctx.fail("repeats has " + std::to_string(repeats.size()) + " entries for rank " + std::to_string(data.rank()));
  }
  const std::vector<int64_t> in_strides = strides_of(data.shape());
  StridedCopy copy;
  Shape out_shape;
  for (size_t d = 0; d < repeats.size(); ++d) {
    if (repeats[d] < 0) ctx.fail("repeats has a negative entry");
    copy.dims.insert(copy.dims.end(), {repeats[d], data.shape()[d]});
    copy.src_strides.insert(copy.src_strides.end(), {0, in_strides[d]});
    out_shape.push_back(checked_mul(ctx, repeats[d], data.shape()[d], "a tiled dim"));
  }
  Tensor& out = ctx.make_output(0, data.dtype(), out_shape);
  strided_copy(copy, data, out, copy_threads(ctx, out.numel()));
}

/// The [N, C, H, W] input of DepthToSpace/SpaceToDepth with a positive blocksize.
int64_t checked_blocksize(const OpContext& ctx, const Tensor& data) {
  if (data.rank() != 4) ctx.fail("input must be 4-D [N, C, H, W], got " + shape_string(data.shape()));
  const int64_t b = ctx.node().attr_int("blocksize", 0);
  if (b <= 0) ctx.fail("blocksize must be positive, got " + std::to_string(b));
  return b;
}

/// DepthToSpace: out[n, c, h*b + i, w*b + j] = in[n, channel, h, w] with channel
/// (i*b + j)*C' + c (DCR) or c*b*b + i*b + j (CRD), C' = C / b^2.
void depth_to_space_kernel(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  const int64_t b = checked_blocksize(ctx, data);
  const int64_t n = data.dim(0), c = data.dim(1), h = data.dim(2), w = data.dim(3);
  const int64_t bb = checked_mul(ctx, b, b, "blocksize^2");
  if (c % bb != 0) ctx.fail("channels " + std::to_string(c) + " are not divisible by blocksize^2");
  const int64_t oc = c / bb, hw = h * w;
  const Shape out_shape{n, oc, checked_mul(ctx, h, b, "the output height"), checked_mul(ctx, w, b, "the output width")};
  const std::string mode = ctx.node().attr_string("mode", "DCR");
  if (mode != "DCR" && mode != "CRD") ctx.fail("mode '" + mode + "' is not DCR or CRD");
  // Walk the output as [n, c', h, i, w, j].
  const bool dcr = mode == "DCR";
  const StridedCopy copy{
      {n, oc, h, b, w, b}, {c * hw, dcr ? hw : b * b * hw, w, dcr ? b * oc * hw : b * hw, 1, dcr ? oc * hw : hw}, 0};
  Tensor& out = ctx.make_output(0, data.dtype(), out_shape);
  strided_copy(copy, data, out, copy_threads(ctx, out.numel()));
}

/// SpaceToDepth: out[n, (i*b + j)*C + c, h, w] = in[n, c, h*b + i, w*b + j].
void space_to_depth_kernel(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  const int64_t b = checked_blocksize(ctx, data);
  const int64_t n = data.dim(0), c = data.dim(1), h = data.dim(2), w = data.dim(3);
  if (h % b != 0 || w % b != 0)
    ctx.fail("spatial dims " + shape_string({h, w}) + " are not divisible by the blocksize");
  // Walk the output as [n, i, j, c, h', w'].
  const StridedCopy copy{{n, b, b, c, h / b, w / b}, {c * h * w, w, 1, h * w, b * w, b}, 0};
  const int64_t out_channels = checked_mul(ctx, c, checked_mul(ctx, b, b, "blocksize^2"), "the output channels");
  Tensor& out = ctx.make_output(0, data.dtype(), {n, out_channels, h / b, w / b});
  strided_copy(copy, data, out, copy_threads(ctx, out.numel()));
}

// ---------------------------------------------------------------- Pad

/// For each output position along one dim, the input position it copies, or -1 for
/// the constant. Negative pads crop first; the positive pads then extend the cropped
/// range [lo, lo + n) by \p mode: reflect mirrors about the end elements (period
/// 2(n-1)), edge repeats them, wrap continues periodically (period n).
std::vector<int64_t> pad_source_map(const OpContext& ctx, int64_t dim, int64_t before, int64_t after,
                                    const std::string& mode) {
  // Bounded first, so the arithmetic below cannot overflow whatever the model says.
  constexpr int64_t kMaxPad = int64_t{1} << 61;
  if (before < -kMaxPad || before > kMaxPad || after < -kMaxPad || after > kMaxPad) {
    ctx.fail("pads " + std::to_string(before) + ", " + std::to_string(after) + " are out of range");
  }
  const int64_t lo = std::max<int64_t>(-before, 0);
  const int64_t n = dim - lo - std::max<int64_t>(-after, 0);
  const int64_t pb = std::max<int64_t>(before, 0), pa = std::max<int64_t>(after, 0);
  if (n < 0)
    ctx.fail("pads " + std::to_string(before) + ", " + std::to_string(after) + " crop more than the dim " +
             std::to_string(dim));
  if (n == 0 && pb + pa > 0 && mode != "constant") ctx.fail(mode + " padding of an empty dim");
  const int64_t length = checked_add(ctx, checked_add(ctx, n, pb, "a padded dim"), pa, "a padded dim");
  checked_tensor_bytes({length}, DataType::kInt64, ctx.node().describe() + ": the padded dim");
  std::vector<int64_t> map(static_cast<size_t>(length));
  for (int64_t o = 0; o < static_cast<int64_t>(map.size()); ++o) {
    int64_t i = o - pb;
    if (i < 0 || i >= n) {
      if (mode == "constant") {
        map[static_cast<size_t>(o)] = -1;
        continue;
      }
      if (mode == "edge") {
        i = std::clamp<int64_t>(i, 0, n - 1);
      } else if (mode == "wrap") {
        i = ((i % n) + n) % n;
      } else if (n == 1) {
        i = 0;
      } else {
        const int64_t period = 2 * (n - 1);
        i = ((i % period) + period) % period;
        if (i >= n) i = period - i;
      }
    }
    map[static_cast<size_t>(o)] = lo + i;
  }
  return map;
}

/// A run of the innermost output dim: \p length elements copied from src position
/// \p src (consecutive), or filled with the constant when src is -1.
struct PadRun {
  int64_t out = 0, length = 0, src = -1;
};

std::vector<PadRun> pad_runs(const std::vector<int64_t>& map) {
  std::vector<PadRun> runs;
  for (int64_t o = 0; o < static_cast<int64_t>(map.size()); ++o) {
    const int64_t s = map[static_cast<size_t>(o)];
    if (!runs.empty()) {
      PadRun& r = runs.back();
      const bool extends = s < 0 ? r.src < 0 : r.src >= 0 && s == r.src + r.length;
      if (extends) {
        ++r.length;
        continue;
      }
    }
    runs.push_back({o, 1, s});
  }
  return runs;
}

/// The pads per input dim (begin, end) with the opset's attribute/input forms and
/// the opset-18 axes input applied.
std::vector<int64_t> full_pads(const OpContext& ctx, int64_t rank) {
  const std::vector<int64_t> pads = ctx.opset() < 11 ? ctx.node().attr_ints("pads") : input_as_int64(ctx, 1);
  std::vector<int64_t> axes(static_cast<size_t>(rank));
  std::iota(axes.begin(), axes.end(), 0);
  if (ctx.opset() >= 18 && ctx.has_input(3)) axes = normalize_axes(ctx, input_as_int64(ctx, 3), rank);
  if (pads.size() != 2 * axes.size()) {
    ctx.fail("pads has " + std::to_string(pads.size()) + " entries for " + std::to_string(axes.size()) + " axes");
  }
  std::vector<int64_t> full(static_cast<size_t>(2 * rank), 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    full[static_cast<size_t>(axes[i])] = pads[i];
    full[static_cast<size_t>(axes[i] + rank)] = pads[i + axes.size()];
  }
  return full;
}

/// The constant of constant-mode Pad as one element of \p dtype (default 0).
Tensor pad_constant(const OpContext& ctx, DataType dtype) {
  if (ctx.opset() < 11) return cast_tensor(Tensor::scalar<float>(ctx.node().attr_float("value", 0.0f)), dtype);
  const Tensor* value = ctx.optional_input(2);
  if (!value || value->numel() == 0) return Tensor(dtype, {});
  single_element(ctx, *value, dtype, "constant_value");
  return *value;
}

/// Pad: constant, reflect, edge or wrap padding; negative pads crop.
void pad_kernel(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  const int64_t rank = data.rank();
  const std::string mode = ctx.node().attr_string("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap")
    ctx.unsupported("mode '" + mode + "'");
  if (rank == 0) return ctx.set_output(0, data);
  const std::vector<int64_t> pads = full_pads(ctx, rank);
  std::vector<std::vector<int64_t>> maps;
  Shape out_shape;
  for (int64_t d = 0; d < rank; ++d) {
    maps.push_back(
        pad_source_map(ctx, data.dim(d), pads[static_cast<size_t>(d)], pads[static_cast<size_t>(d + rank)], mode));
    out_shape.push_back(static_cast<int64_t>(maps.back().size()));
  }
  const Tensor constant = pad_constant(ctx, data.dtype());
  Tensor& out = ctx.make_output(0, data.dtype(), out_shape);
  if (out.numel() == 0) return;
  const size_t width = dtype_size(data.dtype());
  const std::vector<int64_t> in_strides = strides_of(data.shape());
  const std::vector<PadRun> runs = pad_runs(maps.back());
  const int64_t row = out_shape.back();
  parallel_for(copy_threads(ctx, out.numel()), out.numel() / row, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      // The input row this output row reads, or -1 when an outer dim is in the constant border.
      int64_t src_row = 0;
      for (int64_t d = rank - 1, rest = r; d-- > 0 && src_row >= 0;) {
        const int64_t s = maps[static_cast<size_t>(d)][static_cast<size_t>(rest % out_shape[static_cast<size_t>(d)])];
        rest /= out_shape[static_cast<size_t>(d)];
        src_row = s < 0 ? -1 : src_row + s * in_strides[static_cast<size_t>(d)];
      }
      std::byte* dst = out.raw() + static_cast<size_t>(r * row) * width;
      if (src_row < 0) {
        fill_elements(dst, constant.raw(), width, row);
        continue;
      }
      for (const PadRun& run : runs) {
        std::byte* o = dst + static_cast<size_t>(run.out) * width;
        if (run.src < 0) {
          fill_elements(o, constant.raw(), width, run.length);
        } else {
          std::memcpy(o, data.raw() + static_cast<size_t>(src_row + run.src) * width,
                      static_cast<size_t>(run.length) * width);
        }
      }
    }
  });
}

}  // namespace

void register_shape_ops(OpRegistry& registry) {
  registry.add("Reshape", &reshape_kernel, "", OpTraits{{}, false, ValueCopy::kFirstInput});
  registry.add("Flatten", &flatten_kernel, "", OpTraits{{}, false, ValueCopy::kFirstInput});
  registry.add("Squeeze", &squeeze_kernel, "", OpTraits{{}, false, ValueCopy::kFirstInput});
  registry.add("Unsqueeze", &unsqueeze_kernel, "", OpTraits{{}, false, ValueCopy::kFirstInput});
  registry.add("Identity", &identity_kernel, "", OpTraits{{}, false, ValueCopy::kFirstInput});
  registry.add("Dropout", &dropout_kernel);
  registry.add("Shape", &shape_kernel);
  registry.add("Size", &size_kernel);
  registry.add("ConstantOfShape", &constant_of_shape_kernel);
  registry.add("Constant", &constant_kernel);
  registry.add("Range", &range_kernel);
  registry.add("Transpose", &transpose_kernel, "", OpTraits{{}, false, ValueCopy::kFirstInput});
  registry.add("Concat", &concat_kernel, "", OpTraits{{}, false, ValueCopy::kAllInputs});
  registry.add("Split", &split_kernel, "", OpTraits{{}, false, ValueCopy::kFirstInput});
  registry.add("Expand", &expand_kernel, "", OpTraits{{}, false, ValueCopy::kFirstInput});
  registry.add("Tile", &tile_kernel, "", OpTraits{{}, false, ValueCopy::kFirstInput});
  registry.add("DepthToSpace", &depth_to_space_kernel, "", OpTraits{{}, false, ValueCopy::kFirstInput});
  registry.add("SpaceToDepth", &space_to_depth_kernel, "", OpTraits{{}, false, ValueCopy::kFirstInput});
  registry.add("Pad", &pad_kernel);
}

}  // namespace ptqc
