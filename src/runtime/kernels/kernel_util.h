#pragma once
/// \file
/// Small helpers shared by the reference kernels: axis normalisation,
/// NumPy-style broadcasting, strides, element-type dispatch, and a
/// deterministic parallel loop.

#include <cstdint>
#include <exception>
#include <type_traits>
#include <vector>

#include "runtime/op_context.h"

namespace ptqc {

/// \p axis in [-rank, rank) mapped to [0, rank); anything else fails the node.
int64_t normalize_axis(const OpContext& ctx, int64_t axis, int64_t rank);

/// a * b and a + b for dims and counts computed from attributes or input values, which a
/// hostile model can make overflow: the node fails (E19020) naming \p what instead.
int64_t checked_mul(const OpContext& ctx, int64_t a, int64_t b, const char* what);
int64_t checked_add(const OpContext& ctx, int64_t a, int64_t b, const char* what);
/// floor(\p value) as a dim: the node fails unless it is finite and in [0, 2^62].
int64_t checked_floor_dim(const OpContext& ctx, double value, const char* what);

/// Row-major strides of \p shape (elements).
std::vector<int64_t> strides_of(const Shape& shape);

/// ONNX multidirectional (NumPy) broadcast of two shapes; fails the node when incompatible.
Shape broadcast_shapes(const OpContext& ctx, const Shape& a, const Shape& b);

/// Strides to read an input of shape \p in as if it had shape \p out (0 on broadcast dims).
/// \pre \p in broadcasts to \p out.
std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out);

/// The NumPy matmul of operands of shapes \p a and \p b (a 1-D A is a 1 × K row, a 1-D B a
/// K × 1 column, and their unit dim is dropped from Y; leading dims broadcast): Y's shape and,
/// for each of Y's m × n matrices in order, the index of the m × k matrix of A and of the
/// k × n matrix of B it multiplies. Fails the node when the shapes do not multiply.
struct MatMulBatches {
  int64_t m = 0, k = 0, n = 0;
  Shape output;
  std::vector<int64_t> a_index, b_index;
  bool a_in_order = false;  ///< A's batch dims are Y's: a_index[i] == i
};
MatMulBatches matmul_batches(const OpContext& ctx, const Shape& a, const Shape& b);

/// Walks every index of \p out_shape in row-major order and calls fn(out_index, offset_a, offset_b),
/// where the offsets index inputs broadcast with \p strides_a / \p strides_b.
template <class Fn>
void for_each_broadcast(const Shape& out_shape, const std::vector<int64_t>& strides_a,
                        const std::vector<int64_t>& strides_b, Fn&& fn) {
  const size_t rank = out_shape.size();
  const int64_t total = shape_numel(out_shape);
  if (total == 0) return;
  if (rank == 0) {
    fn(int64_t{0}, int64_t{0}, int64_t{0});
    return;
  }
  std::vector<int64_t> idx(rank, 0);
  int64_t off_a = 0, off_b = 0;
  const int64_t inner = out_shape[rank - 1];
  const int64_t sa = strides_a[rank - 1], sb = strides_b[rank - 1];
  for (int64_t o = 0; o < total; o += inner) {
    for (int64_t j = 0; j < inner; ++j) fn(o + j, off_a + j * sa, off_b + j * sb);
    // Advance the outer index (odometer) and the two offsets with it.
    for (size_t d = rank - 1; d-- > 0;) {
      ++idx[d];
      off_a += strides_a[d];
      off_b += strides_b[d];
      if (idx[d] < out_shape[d]) break;
      off_a -= strides_a[d] * idx[d];
      off_b -= strides_b[d] * idx[d];
      idx[d] = 0;
    }
  }
}

/// Runs fn(begin, end) over [0, n) split into contiguous chunks on up to \p threads
/// threads. The split depends only on n and threads, and each index is handled by
/// exactly one call, so kernels that write disjoint outputs stay deterministic.
/// An exception thrown by fn on a worker cannot leave an OpenMP region (the process
/// would terminate): each chunk's first exception is kept, and after the loop the one of
/// the lowest chunk is rethrown, so the error reported does not depend on timing.
template <class Fn>
void parallel_for(int threads, int64_t n, Fn&& fn) {
  if (threads <= 1 || n <= 1) {
    if (n > 0) fn(int64_t{0}, n);
    return;
  }
  const int64_t chunks = std::min<int64_t>(threads, n);
  std::vector<std::exception_ptr> failures(static_cast<size_t>(chunks));
#pragma omp parallel for num_threads(static_cast<int>(chunks)) schedule(static, 1)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t begin = n * c / chunks;
    const int64_t end = n * (c + 1) / chunks;
    try {
      if (begin < end) fn(begin, end);
    } catch (...) {
      failures[static_cast<size_t>(c)] = std::current_exception();
    }
  }
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
}

/// Calls fn(T{}) with T the C++ element type of \p dtype, for every numeric type
/// (float32, float64, int8..int64, uint8..uint64) and, when \p with_bool, bool.
/// Other types fail the node as unsupported.
template <class Fn>
void dispatch_numeric(const OpContext& ctx, DataType dtype, Fn&& fn, bool with_bool = false) {
  switch (dtype) {
    case DataType::kFloat32: fn(float{}); return;
    case DataType::kFloat64: fn(double{}); return;
    case DataType::kInt8: fn(int8_t{}); return;
    case DataType::kUInt8: fn(uint8_t{}); return;
    case DataType::kInt16: fn(int16_t{}); return;
    case DataType::kUInt16: fn(uint16_t{}); return;
    case DataType::kInt32: fn(int32_t{}); return;
    case DataType::kUInt32: fn(uint32_t{}); return;
    case DataType::kInt64: fn(int64_t{}); return;
    case DataType::kUInt64: fn(uint64_t{}); return;
    case DataType::kBool:
      if (with_bool) {
        fn(bool{});
        return;
      }
      break;
    default: break;
  }
  ctx.unsupported("element type " + dtype_name(dtype));
}

/// Like dispatch_numeric but for float32/float64 only.
template <class Fn>
void dispatch_float(const OpContext& ctx, DataType dtype, Fn&& fn) {
  if (dtype == DataType::kFloat32) return fn(float{});
  if (dtype == DataType::kFloat64) return fn(double{});
  ctx.unsupported("element type " + dtype_name(dtype));
}

/// Copies any tensor's element values into a new tensor of the same dtype and shape
/// (shape ops that must not alias their input use it).
Tensor copy_tensor(OpContext& ctx, const Tensor& src);

/// Input \p i read as a list of int64 (shape-like inputs such as Reshape's shape).
std::vector<int64_t> input_as_int64(const OpContext& ctx, size_t i);

}  // namespace ptqc
