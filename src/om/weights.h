#pragma once
/// \file
/// The WEIGHTS_DATA partition: constant tensors back to back, each at a 64-byte aligned
/// offset (zero padding between them), referenced from MODEL_DEF by WeightRef
/// {offset, size, dtype, stored_dtype, dims}.

#include <string>
#include <string_view>

#include "proto/ptqc_om.pb.h"
#include "ptqc/om.h"
#include "ptqc/tensor.h"

namespace ptqc {

/// Builds WEIGHTS_DATA in the order tensors are appended.
class WeightsWriter {
 public:
  /// \p float_as_fp16: float32 tensors appended with allow_fp16 are stored as FP16
  /// (round to nearest even) unless a finite element would overflow to infinity.
  explicit WeightsWriter(bool float_as_fp16) : float_as_fp16_(float_as_fp16) {}

  /// Appends \p tensor's elements (little-endian) at the next 64-byte aligned offset.
  /// \p what names the tensor in errors (E19020 for a tensor without an element type).
  proto::WeightRef append(const Tensor& tensor, bool allow_fp16, const std::string& what);

  const std::string& bytes() const { return bytes_; }

 private:
  bool float_as_fp16_;
  std::string bytes_;
};

/// The tensor \p ref points to in \p weights, after checking that the element types are
/// known and consistent (stored_dtype is dtype, or float16 for a float32 tensor), every
/// dim is >= 0, size equals numel * element size, the offset is 64-byte aligned and the
/// bytes lie inside \p weights. FP16-stored float32 tensors come back as float32.
/// E19020 "<origin>: <what> ..." on any failure.
Tensor read_weight(const proto::WeightRef& ref, std::string_view weights, const std::string& origin,
                   const std::string& what);

/// The summary of a checked \p ref for OmModel::weights.
OmWeight describe_weight(const proto::WeightRef& ref, const std::string& owner);

}  // namespace ptqc
