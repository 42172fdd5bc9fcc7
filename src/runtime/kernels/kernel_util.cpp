#include "runtime/kernels/kernel_util.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ptqc {

int64_t normalize_axis(const OpContext& ctx, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1)) {
    ctx.fail("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  }
  return axis < 0 ? axis + rank : axis;
}

int64_t checked_mul(const OpContext& ctx, int64_t a, int64_t b, const char* what) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) {
    ctx.fail(std::string(what) + " (" + std::to_string(a) + " * " + std::to_string(b) + ") overflows a 64-bit integer");
  }
  return r;
}

int64_t checked_add(const OpContext& ctx, int64_t a, int64_t b, const char* what) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) {
    ctx.fail(std::string(what) + " (" + std::to_string(a) + " + " + std::to_string(b) + ") overflows a 64-bit integer");
  }
  return r;
}

int64_t checked_floor_dim(const OpContext& ctx, double value, const char* what) {
  const double d = std::floor(value);
  if (!(d >= 0.0 && d <= 4.6e18)) ctx.fail(std::string(what) + " " + std::to_string(value) + " is not a valid size");
  return static_cast<int64_t>(d);
}

std::vector<int64_t> strides_of(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) strides[d - 1] = strides[d] * shape[d];
  return strides;
}

Shape broadcast_shapes(const OpContext& ctx, const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      ctx.fail("shapes " + shape_string(a) + " and " + shape_string(b) + " do not broadcast");
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out) {
  std::vector<int64_t> strides(out.size(), 0);
  const std::vector<int64_t> own = strides_of(in);
  const size_t lead = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i) strides[lead + i] = in[i] == 1 ? 0 : own[i];
  return strides;
}

Tensor copy_tensor(OpContext& ctx, const Tensor& src) {
  Tensor out(src.dtype(), src.shape(), ctx.allocator());
  if (src.nbytes()) std::memcpy(out.raw(), src.raw(), src.nbytes());
  return out;
}

std::vector<int64_t> input_as_int64(const OpContext& ctx, size_t i) {
  const Tensor& t = ctx.input(i);
  if (is_float(t.dtype())) ctx.fail("input " + std::to_string(i) + " must be an integer tensor");
  return t.to_int64_vector();
}

MatMulBatches matmul_batches(const OpContext& ctx, const Shape& a, const Shape& b) {
  if (a.empty() || b.empty()) ctx.fail("inputs must have rank >= 1");
  Shape a_batch = a, b_batch = b;
  if (a.size() == 1) a_batch.insert(a_batch.begin(), 1);
  if (b.size() == 1) b_batch.push_back(1);
  MatMulBatches l;
  l.m = a_batch.end()[-2];
  l.k = a_batch.back();
  l.n = b_batch.back();
  if (b_batch.end()[-2] != l.k) ctx.fail("shapes " + shape_string(a) + " and " + shape_string(b) + " do not multiply");
  a_batch.resize(a_batch.size() - 2);
  b_batch.resize(b_batch.size() - 2);
  const Shape batch = broadcast_shapes(ctx, a_batch, b_batch);
  l.output = batch;
  if (a.size() > 1) l.output.push_back(l.m);
  if (b.size() > 1) l.output.push_back(l.n);
  for_each_broadcast(batch, broadcast_strides(a_batch, batch), broadcast_strides(b_batch, batch),
                     [&](int64_t, int64_t ia, int64_t ib) {
                       l.a_index.push_back(ia);
                       l.b_index.push_back(ib);
                     });
  l.a_in_order = a_batch == batch;
  return l;
}

}  // namespace ptqc
