/// \file
/// Indexing kernels: slicing, gathers and scatters by index tensors, one-hot
/// encoding, NonZero, Trilu, Compress and EyeLike. Element values are moved as
/// dtype_size() bytes, so every element type works; only the scatter reductions
/// (add/mul/max/min) compute on values.

#include <algorithm>
#include <cstring>
#include <numeric>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/shape_util.h"
#include "runtime/op_registry.h"

namespace ptqc {

namespace {

/// \p index in [-dim, dim) mapped to [0, dim); anything else fails the node.
int64_t checked_index(const OpContext& ctx, int64_t index, int64_t dim, const std::string& what) {
  if (index < -dim || index >= dim) {
    ctx.fail(what + " index " + std::to_string(index) + " is out of range for a dim of size " + std::to_string(dim));
  }
  return index < 0 ? index + dim : index;
}

/// Element values of an index-like tensor as int64 (float values truncate toward zero).
std::vector<int64_t> as_indices(const Tensor& t) {
  if (!is_float(t.dtype())) return t.to_int64_vector();
  const std::vector<float> f = t.to_float_vector();
  return std::vector<int64_t>(f.begin(), f.end());
}

/// Product of dims [begin, end) of \p shape.
int64_t dims_product(const Shape& shape, int64_t begin, int64_t end) {
  return shape_numel(Shape(shape.begin() + begin, shape.begin() + end));
}

// ---------------------------------------------------------------- Slice

/// The effective (start, count) of one sliced dim of size \p dim, as ONNX specifies:
/// negative start/end add dim; then start clamps to [0, dim] (step > 0) or [0, dim-1]
/// (step < 0), end to [0, dim] or [-1, dim-1]; count = max(ceil((end - start) / step), 0).
std::pair<int64_t, int64_t> slice_range(int64_t start, int64_t end, int64_t step, int64_t dim) {
  if (dim == 0) return {0, 0};
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    return {start, end > start ? (end - start + step - 1) / step : 0};
  }
  start = std::clamp<int64_t>(start, 0, dim - 1);
  end = std::clamp<int64_t>(end, -1, dim - 1);
  return {start, start > end ? (start - end - step - 1) / -step : 0};
}

/// Slice: starts/ends/axes as attributes before opset 10, as inputs 1..4 (with steps) from 10.
void slice_kernel(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  const int64_t rank = data.rank();
  const bool attrs = ctx.opset() < 10;
  const std::vector<int64_t> starts = attrs ? ctx.node().attr_ints("starts") : input_as_int64(ctx, 1);
  const std::vector<int64_t> ends = attrs ? ctx.node().attr_ints("ends") : input_as_int64(ctx, 2);
  std::vector<int64_t> axes = attrs ? ctx.node().attr_ints("axes") : optional_input_as_int64(ctx, 3);
  std::vector<int64_t> steps = attrs ? std::vector<int64_t>{} : optional_input_as_int64(ctx, 4);
  if (axes.empty()) {
    axes.resize(starts.size());
    std::iota(axes.begin(), axes.end(), 0);
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size()) {
    ctx.fail("starts, ends, axes and steps have " + std::to_string(starts.size()) + ", " + std::to_string(ends.size()) +
             ", " + std::to_string(axes.size()) + " and " + std::to_string(steps.size()) + " entries");
  }
  axes = normalize_axes(ctx, axes, rank);
  const std::vector<int64_t> in_strides = strides_of(data.shape());
  StridedCopy copy{data.shape(), in_strides, 0};
  for (size_t i = 0; i < axes.size(); ++i) {
    if (steps[i] == 0) ctx.fail("step of axis " + std::to_string(axes[i]) + " is 0");
    const auto a = static_cast<size_t>(axes[i]);
    const auto [start, count] = slice_range(starts[i], ends[i], steps[i], data.dim(axes[i]));
    copy.dims[a] = count;
    copy.src_strides[a] = in_strides[a] * steps[i];
    copy.src_offset += start * in_strides[a];
  }
  Tensor& out = ctx.make_output(0, data.dtype(), copy.dims);
  strided_copy(copy, data, out, copy_threads(ctx, out.numel()));
}

// ---------------------------------------------------------------- gathers

/// Gather: out[a.., i.., b..] = data[a.., indices[i..], b..] along axis.
void gather_kernel(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  const Tensor& indices_t = ctx.input(1);
  const int64_t axis = checked_axis(ctx, ctx.node().attr_int("axis", 0), data.rank());
  const int64_t dim = data.dim(axis);
  const Shape& s = data.shape();
  Shape out_shape(s.begin(), s.begin() + axis);
  out_shape.insert(out_shape.end(), indices_t.shape().begin(), indices_t.shape().end());
  out_shape.insert(out_shape.end(), s.begin() + axis + 1, s.end());
  Tensor& out = ctx.make_output(0, data.dtype(), out_shape);
  std::vector<int64_t> indices = input_as_int64(ctx, 1);
  for (int64_t& i : indices) i = checked_index(ctx, i, dim, "Gather");
  const int64_t outer = dims_product(s, 0, axis);
  const auto n = static_cast<int64_t>(indices.size());
  const size_t slice = static_cast<size_t>(dims_product(s, axis + 1, data.rank())) * dtype_size(data.dtype());
  parallel_for(copy_threads(ctx, out.numel()), outer * n, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const int64_t o = r / n, k = r % n;
      std::memcpy(out.raw() + static_cast<size_t>(r) * slice,
                  data.raw() + static_cast<size_t>(o * dim + indices[static_cast<size_t>(k)]) * slice, slice);
    }
  });
}

/// Fails unless \p indices has data's rank and no larger dim than data except along \p axis.
void check_element_indices(const OpContext& ctx, const Tensor& data, const Tensor& indices, int64_t axis) {
  bool ok = data.rank() >= 1 && indices.rank() == data.rank();
  for (int64_t d = 0; ok && d < data.rank(); ++d) ok = d == axis || indices.dim(d) <= data.dim(d);
  if (!ok) {
    ctx.fail("indices of shape " + shape_string(indices.shape()) + " do not fit data of shape " +
             shape_string(data.shape()) + " on axis " + std::to_string(axis));
  }
}

/// For each element of an index tensor of shape \p index_shape (row-major), the element
/// offset in data (strides \p data_strides) that it addresses: its own position with
/// the axis coordinate replaced by the index value.
std::vector<int64_t> element_offsets(const OpContext& ctx, const Shape& index_shape,
                                     const std::vector<int64_t>& indices, const Tensor& data, int64_t axis) {
  std::vector<int64_t> offsets(indices.size());
  if (offsets.empty()) return offsets;
  std::vector<int64_t> src_strides = strides_of(data.shape());
  const int64_t axis_stride = src_strides[static_cast<size_t>(axis)];
  src_strides[static_cast<size_t>(axis)] = 0;
  for_each_offset(index_shape, src_strides, strides_of(index_shape), 0, shape_numel(index_shape),
                  [&](int64_t i, int64_t base, int64_t) {
                    const auto k = static_cast<size_t>(i);
                    offsets[k] = base + checked_index(ctx, indices[k], data.dim(axis), "element") * axis_stride;
                  });
  return offsets;
}

/// GatherElements: out[i] = data[i with its axis coordinate replaced by indices[i]].
void gather_elements_kernel(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  const Tensor& indices = ctx.input(1);
  const int64_t axis = checked_axis(ctx, ctx.node().attr_int("axis", 0), data.rank());
  check_element_indices(ctx, data, indices, axis);
  Tensor& out = ctx.make_output(0, data.dtype(), indices.shape());
  const std::vector<int64_t> offsets = element_offsets(ctx, indices.shape(), input_as_int64(ctx, 1), data, axis);
  dispatch_element_width(dtype_size(data.dtype()), [&](auto u) {
    using U = decltype(u);
    const U* in = reinterpret_cast<const U*>(data.raw());
    U* o = reinterpret_cast<U*>(out.raw());
    for (size_t i = 0; i < offsets.size(); ++i) o[i] = in[offsets[i]];
  });
}

/// The layout shared by GatherND and ScatterND: data [B.., X1..Xk, S..] addressed by index
/// tuples of length k in indices [B.., T.., k]. Slices of `slice` elements are moved.
struct NdIndexing {
  int64_t batches = 1;           ///< prod(B..): the leading dims data and indices share.
  int64_t tuples = 1;            ///< Index tuples per batch: prod(T..).
  int64_t slice = 1;             ///< Elements per addressed slice: prod(S..).
  std::vector<int64_t> offsets;  ///< Element offset in data of each tuple's slice, batch-major.
};

/// Resolves \p indices against \p data with \p batch_dims leading batch dims.
NdIndexing nd_indexing(const OpContext& ctx, const Tensor& data, const Tensor& indices, int64_t batch_dims) {
  const int64_t r = data.rank(), q = indices.rank();
  if (q < 1 || is_float(indices.dtype())) ctx.fail("indices must be an integer tensor of rank >= 1");
  const int64_t k = indices.dim(q - 1);
  if (batch_dims < 0 || batch_dims >= std::min(q, r) || batch_dims + k > r) {
    ctx.fail("index tuples of length " + std::to_string(k) + " with batch_dims " + std::to_string(batch_dims) +
             " do not fit data of shape " + shape_string(data.shape()));
  }
  for (int64_t d = 0; d < batch_dims; ++d) {
    if (indices.dim(d) != data.dim(d)) ctx.fail("batch dim " + std::to_string(d) + " of indices and data differ");
  }
  NdIndexing nd;
  nd.batches = dims_product(data.shape(), 0, batch_dims);
  nd.tuples = dims_product(indices.shape(), batch_dims, q - 1);
  nd.slice = dims_product(data.shape(), batch_dims + k, r);
  const int64_t batch_stride = dims_product(data.shape(), batch_dims, r);
  const std::vector<int64_t> strides = strides_of(data.shape());
  const std::vector<int64_t> values = indices.to_int64_vector();
  nd.offsets.resize(static_cast<size_t>(nd.batches * nd.tuples));
  for (size_t t = 0; t < nd.offsets.size(); ++t) {
    int64_t offset = static_cast<int64_t>(t) / nd.tuples * batch_stride;
    for (int64_t j = 0; j < k; ++j) {
      const auto d = static_cast<size_t>(batch_dims + j);
      offset += checked_index(ctx, values[t * static_cast<size_t>(k) + static_cast<size_t>(j)], data.shape()[d], "ND") *
                strides[d];
    }
    nd.offsets[t] = offset;
  }
  return nd;
}

/// GatherND: out[B.., T..] = data[B.., indices[B.., T..], ...] (a slice per index tuple).
void gather_nd_kernel(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  const Tensor& indices = ctx.input(1);
  const int64_t batch_dims = ctx.node().attr_int("batch_dims", 0);
  const NdIndexing nd = nd_indexing(ctx, data, indices, batch_dims);
  Shape out_shape(indices.shape().begin(), indices.shape().end() - 1);
  out_shape.insert(out_shape.end(), data.shape().begin() + batch_dims + indices.shape().back(), data.shape().end());
  Tensor& out = ctx.make_output(0, data.dtype(), out_shape);
  const size_t width = dtype_size(data.dtype()), bytes = static_cast<size_t>(nd.slice) * width;
  for (size_t t = 0; t < nd.offsets.size(); ++t) {
    std::memcpy(out.raw() + t * bytes, data.raw() + static_cast<size_t>(nd.offsets[t]) * width, bytes);
  }
}

// ---------------------------------------------------------------- scatters

enum class Reduction { kNone, kAdd, kMul, kMax, kMin };

Reduction reduction_of(const OpContext& ctx) {
  const std::string r = ctx.node().attr_string("reduction", "none");
  if (r == "none") return Reduction::kNone;
  if (r == "add") return Reduction::kAdd;
  if (r == "mul") return Reduction::kMul;
  if (r == "max") return Reduction::kMax;
  if (r == "min") return Reduction::kMin;
  ctx.fail("reduction '" + r + "' is not none, add, mul, max or min");
}

/// reduction(a, b) for the scatter reductions other than none.
template <class T>
T combine(T a, T b, Reduction reduction) {
  switch (reduction) {
    case Reduction::kAdd: return static_cast<T>(a + b);
    case Reduction::kMul: return static_cast<T>(a * b);
    case Reduction::kMax: return std::max(a, b);
    default: return std::min(a, b);
  }
}

/// out = copy of data, then, in order, out[dst[i] + j] = reduce(out[dst[i] + j], updates[i*len + j])
/// for j < \p len; with no reduction the update replaces (the last duplicate wins).
void scatter_into(OpContext& ctx, const Tensor& data, const Tensor& updates, const std::vector<int64_t>& dst,
                  int64_t len, Reduction reduction) {
  if (updates.dtype() != data.dtype()) ctx.fail("updates must have the data type " + dtype_name(data.dtype()));
  Tensor& out = ctx.make_output(0, data.dtype(), data.shape());
  if (data.nbytes()) std::memcpy(out.raw(), data.raw(), data.nbytes());
  const size_t width = dtype_size(data.dtype());
  if (reduction == Reduction::kNone) {
    for (size_t i = 0; i < dst.size(); ++i) {
      std::memcpy(out.raw() + static_cast<size_t>(dst[i]) * width, updates.raw() + i * static_cast<size_t>(len) * width,
                  static_cast<size_t>(len) * width);
    }
    return;
  }
  auto reduce_all = [&](auto zero) {
    using T = decltype(zero);
    T* o = out.template data<T>();
    const T* u = updates.template data<T>();
    for (size_t i = 0; i < dst.size(); ++i) {
      for (int64_t j = 0; j < len; ++j)
        o[dst[i] + j] = combine(o[dst[i] + j], u[static_cast<int64_t>(i) * len + j], reduction);
    }
  };
  dispatch_numeric(ctx, data.dtype(), reduce_all, true);
}

/// ScatterND: out = data with the slice at each index tuple replaced (or reduced) by the
/// matching slice of updates [T.., S..].
void scatter_nd_kernel(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  const Tensor& indices = ctx.input(1);
  const Tensor& updates = ctx.input(2);
  const NdIndexing nd = nd_indexing(ctx, data, indices, 0);
  Shape expected(indices.shape().begin(), indices.shape().end() - 1);
  expected.insert(expected.end(), data.shape().begin() + indices.shape().back(), data.shape().end());
  if (updates.shape() != expected) {
    ctx.fail("updates have shape " + shape_string(updates.shape()) + ", expected " + shape_string(expected));
  }
  scatter_into(ctx, data, updates, nd.offsets, nd.slice, reduction_of(ctx));
}

/// ScatterElements (and the older Scatter): out = data with out[i with its axis coordinate
/// replaced by indices[i]] replaced (or reduced) by updates[i].
void scatter_elements_kernel(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  const Tensor& indices = ctx.input(1);
  const Tensor& updates = ctx.input(2);
  const int64_t axis = checked_axis(ctx, ctx.node().attr_int("axis", 0), data.rank());
  check_element_indices(ctx, data, indices, axis);
  if (updates.shape() != indices.shape()) {
    ctx.fail("updates have shape " + shape_string(updates.shape()) + ", indices " + shape_string(indices.shape()));
  }
  const std::vector<int64_t> offsets = element_offsets(ctx, indices.shape(), input_as_int64(ctx, 1), data, axis);
  scatter_into(ctx, data, updates, offsets, 1, reduction_of(ctx));
}

// ---------------------------------------------------------------- encoders and masks

/// OneHot: out[a.., j, b..] = on when j == indices[a.., b..] (negative indices add depth),
/// off otherwise; the depth axis j sits at `axis` of the output.
void one_hot_kernel(OpContext& ctx) {
  const Tensor& indices_t = ctx.input(0);
  const Tensor& values = ctx.input(2);
  const std::vector<int64_t> depth_v = as_indices(ctx.input(1));
  if (depth_v.size() != 1 || depth_v[0] < 1) ctx.fail("depth must be one positive number");
  if (values.numel() != 2)
    ctx.fail("values must hold [off_value, on_value], got shape " + shape_string(values.shape()));
  const int64_t depth = depth_v[0];
  const int64_t axis = checked_axis(ctx, ctx.node().attr_int("axis", -1), indices_t.rank() + 1);
  Shape out_shape = indices_t.shape();
  out_shape.insert(out_shape.begin() + axis, depth);
  Tensor& out = ctx.make_output(0, values.dtype(), out_shape);
  const size_t width = dtype_size(values.dtype());
  fill_elements(out.raw(), values.raw(), width, out.numel());
  const std::vector<int64_t> indices = as_indices(indices_t);
  const int64_t inner = dims_product(indices_t.shape(), axis, indices_t.rank());
  for (size_t i = 0; i < indices.size(); ++i) {
    int64_t j = indices[i];
    if (j < 0) j += depth;
    if (j < 0 || j >= depth) continue;  // out-of-range indices encode as all off
    const int64_t outer = static_cast<int64_t>(i) / inner, in = static_cast<int64_t>(i) % inner;
    std::memcpy(out.raw() + static_cast<size_t>((outer * depth + j) * inner + in) * width, values.raw() + width, width);
  }
}

/// True when the element at \p p is non-zero (for float types -0.0 is zero).
template <class U>
bool is_nonzero(const U* p, bool floating) {
  const U magnitude = floating ? static_cast<U>(~(U{1} << (sizeof(U) * 8 - 1))) : static_cast<U>(~U{0});
  return (*p & magnitude) != 0;
}

/// NonZero: int64 [rank, n] holding the coordinates of the n non-zero elements in
/// row-major order (a scalar counts as shape [1]).
void non_zero_kernel(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  const Shape shape = data.rank() == 0 ? Shape{1} : data.shape();
  const bool floating = is_float(data.dtype());
  std::vector<int64_t> hits;
  dispatch_element_width(dtype_size(data.dtype()), [&](auto u) {
    using U = decltype(u);
    const U* p = reinterpret_cast<const U*>(data.raw());
    for (int64_t i = 0; i < data.numel(); ++i) {
      if (is_nonzero(p + i, floating)) hits.push_back(i);
    }
  });
  const auto rank = static_cast<int64_t>(shape.size()), n = static_cast<int64_t>(hits.size());
  int64_t* out = ctx.make_output(0, DataType::kInt64, {rank, n}).data<int64_t>();
  const std::vector<int64_t> strides = strides_of(shape);
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t d = 0; d < rank; ++d) {
      out[d * n + j] = hits[static_cast<size_t>(j)] / strides[static_cast<size_t>(d)] % shape[static_cast<size_t>(d)];
    }
  }
}

/// Trilu: keeps the elements (i, j) of each trailing matrix with j - i >= k (upper)
/// or j - i <= k (lower) and zeroes the rest.
void trilu_kernel(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  if (data.rank() < 2) ctx.fail("input must have rank >= 2, got " + shape_string(data.shape()));
  Tensor& out = ctx.make_output(0, data.dtype(), data.shape());
  const std::vector<int64_t> k_v = optional_input_as_int64(ctx, 1);
  if (k_v.size() > 1) ctx.fail("k must be a scalar");
  const bool upper = ctx.node().attr_int("upper", 1) != 0;
  const int64_t rows = data.dim(data.rank() - 2), cols = data.dim(data.rank() - 1);
  const int64_t k = std::clamp<int64_t>(k_v.empty() ? 0 : k_v[0], -rows - 1, cols + 1);
  if (data.nbytes()) std::memcpy(out.raw(), data.raw(), data.nbytes());
  if (out.numel() == 0) return;
  const size_t width = dtype_size(data.dtype());
  for (int64_t r = 0; r < out.numel() / cols; ++r) {
    const int64_t i = r % rows;
    // Zero the columns [zero_begin, zero_end) of this row.
    const int64_t zero_begin = upper ? 0 : std::clamp<int64_t>(i + k + 1, 0, cols);
    const int64_t zero_end = upper ? std::clamp<int64_t>(i + k, 0, cols) : cols;
    if (zero_end > zero_begin) {
      std::memset(out.raw() + static_cast<size_t>(r * cols + zero_begin) * width, 0,
                  static_cast<size_t>(zero_end - zero_begin) * width);
    }
  }
}

/// Compress: the slices along axis whose condition entry is true (the flattened
/// elements when there is no axis). A condition shorter than the axis drops the rest.
void compress_kernel(OpContext& ctx) {
  const Tensor& input = ctx.input(0);
  const bool has_axis = ctx.node().has_attr("axis");
  const Tensor data = has_axis ? input : input.reshaped({input.numel()});
  const int64_t axis = checked_axis(ctx, ctx.node().attr_int("axis", 0), data.rank());
  const int64_t dim = data.dim(axis);
  if (ctx.input(1).dtype() != DataType::kBool) ctx.fail("condition must be a bool tensor");
  const std::vector<int64_t> condition = ctx.input(1).to_int64_vector();
  std::vector<int64_t> kept;
  for (size_t i = 0; i < condition.size(); ++i) {
    if (condition[i] == 0) continue;
    if (static_cast<int64_t>(i) >= dim)
      ctx.fail("condition selects entry " + std::to_string(i) + " of a dim of size " + std::to_string(dim));
    kept.push_back(static_cast<int64_t>(i));
  }
  Shape out_shape = data.shape();
  out_shape[static_cast<size_t>(axis)] = static_cast<int64_t>(kept.size());
  Tensor& out = ctx.make_output(0, data.dtype(), out_shape);
  const int64_t outer = dims_product(data.shape(), 0, axis);
  const size_t slice =
      static_cast<size_t>(dims_product(data.shape(), axis + 1, data.rank())) * dtype_size(data.dtype());
  std::byte* o = out.raw();
  for (int64_t b = 0; b < outer; ++b) {
    for (int64_t i : kept) {
      std::memcpy(o, data.raw() + static_cast<size_t>(b * dim + i) * slice, slice);
      o += slice;
    }
  }
}

/// EyeLike: a matrix of the input's shape with ones where j - i == k and zeros elsewhere.
void eye_like_kernel(OpContext& ctx) {
  const Tensor& input = ctx.input(0);
  if (input.rank() != 2) ctx.fail("input must be 2-D, got " + shape_string(input.shape()));
  const int64_t type = ctx.node().attr_int("dtype", static_cast<int64_t>(input.dtype()));
  if (!is_supported_dtype(static_cast<int32_t>(type))) ctx.unsupported("dtype " + std::to_string(type));
  const auto dtype = static_cast<DataType>(type);
  const int64_t rows = input.dim(0), cols = input.dim(1);
  const int64_t k = std::clamp<int64_t>(ctx.node().attr_int("k", 0), -rows, cols);
  const Tensor one = cast_tensor(Tensor::scalar<bool>(true), dtype);
  Tensor& out = ctx.make_output(0, dtype, input.shape());
  if (out.nbytes()) std::memset(out.raw(), 0, out.nbytes());
  const size_t width = dtype_size(dtype);
  for (int64_t i = std::max<int64_t>(0, -k); i < std::min(rows, cols - k); ++i) {
    std::memcpy(out.raw() + static_cast<size_t>(i * cols + i + k) * width, one.raw(), width);
  }
}

}  // namespace

void register_index_ops(OpRegistry& registry) {
  registry.add("Slice", &slice_kernel, "", OpTraits{{}, false, ValueCopy::kFirstInput});
  registry.add("Gather", &gather_kernel, "", OpTraits{{}, false, ValueCopy::kFirstInput});
  registry.add("GatherElements", &gather_elements_kernel);
  registry.add("GatherND", &gather_nd_kernel);
  registry.add("ScatterND", &scatter_nd_kernel);
  registry.add("ScatterElements", &scatter_elements_kernel);
  registry.add("Scatter", &scatter_elements_kernel);
  registry.add("OneHot", &one_hot_kernel);
  registry.add("NonZero", &non_zero_kernel);
  registry.add("Trilu", &trilu_kernel);
  registry.add("Compress", &compress_kernel);
  registry.add("EyeLike", &eye_like_kernel);
}

}  // namespace ptqc
