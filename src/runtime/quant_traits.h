#pragma once
/// \file
/// Quantization traits: what the compiler needs to know about an op that has an INT8 form.
/// Which ptqc-domain op replaces it, which attributes that op keeps, how its constant weight
/// (input 1) feeds its output channels, which attributes scale its product and its bias
/// (input 2). The op registry holds one per quantizable op (OpTraits::quant); the quantizer,
/// BatchNorm folding and ptqc-compare read them here instead of naming op types.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ptqc/graph.h"

namespace ptqc {

/// How a weight of a given shape maps to the op's output channels.
///
/// Invariants: channels * reduction == the weight's element count; channel_of(i) < channels.
struct WeightLayout {
  int64_t channels = 0;   ///< M: output channels.
  int64_t reduction = 0;  ///< K: weights that feed one output channel (products summed into one output).
  /// The weight axis along which per-channel scales vary; -1 when the channels do not follow one
  /// axis (grouped ConvTranspose, [C, M/group, k...]), so scales are per tensor.
  int64_t scale_axis = -1;
  /// The float weight is [N, K] (Gemm transB=1) and the INT8 weight is stored [K, N].
  bool transposed = false;
  /// The output channel that the float weight's flat element \p i feeds.
  std::function<int64_t(int64_t)> channel_of;

  /// The flat index in the INT8 weight of the float weight's flat element \p i.
  int64_t int8_index(int64_t i) const { return transposed ? i % reduction * channels + i / reduction : i; }
};

/// Where an INT8 op's explicit `pads` come from (ONNX auto_pad is resolved by the rewrite).
enum class Int8Pads {
  kNone,            ///< The op has no padding.
  kWeightKernel,    ///< The kernel is the weight's dims 2.. (Conv, ConvTranspose).
  kKernelShape,     ///< The kernel is the `kernel_shape` attribute (AveragePool).
};

/// What quantization knows about one op type of the default domain.
struct QuantTraits {
  /// The ptqc-domain op that replaces the node ("QConv").
  const char* int8_op = "";
  /// The op that replaces it when input 1 is an activation, not a constant (MatMul -> QBatchMatMul);
  /// nullptr when input 1 must be a constant weight.
  const char* activation_int8_op = nullptr;
  /// Input 1 is a weight; false for pooling, whose INT8 form needs only the input's scale.
  bool weighted = true;
  /// Input 2, when present, is a bias: a scalar or one value per output channel.
  bool has_bias = false;
  /// Per-channel weight scales always (Conv); otherwise only under `channel_wise` (Gemm/MatMul).
  bool always_per_channel = false;
  /// The output's channels are its last axis (Gemm/MatMul), not axis 1 (NCHW).
  bool channels_last = false;
  /// Each input element meets a slice of the weight and scatters into the output
  /// (ConvTranspose): work scales with the input, not the output.
  bool scatters = false;
  /// A float attribute (default 1) that multiplies the product: Gemm's alpha.
  const char* product_scale = nullptr;
  /// A float attribute (default 1) that multiplies the bias: Gemm's beta.
  const char* bias_scale = nullptr;
  /// The attributes the INT8 op keeps as they are.
  std::vector<std::string> int8_attrs{};
  Int8Pads pads = Int8Pads::kNone;
  /// The INT8 op reduces the whole spatial extent (GlobalAveragePool -> QAveragePool global=1).
  bool global = false;
  /// The layout of \p node's weight of shape \p w; nullopt when the shape does not fit the op
  /// or has no elements.
  std::optional<WeightLayout> (*layout)(const Node& node, const Shape& w) = nullptr;
  /// "" when \p node with weight shape \p w has an INT8 form, else why not (weighted ops only).
  std::string (*unsupported)(const Node& node, const Shape& w) = nullptr;
};

/// The traits of the quantizable ops; the kernel files register them with their kernels.
extern const QuantTraits kConvQuantTraits;
extern const QuantTraits kConvTransposeQuantTraits;
extern const QuantTraits kGemmQuantTraits;
extern const QuantTraits kMatMulQuantTraits;
extern const QuantTraits kAveragePoolQuantTraits;
extern const QuantTraits kGlobalAveragePoolQuantTraits;

/// The quantization traits of \p node's op (from the op registry), or nullptr when it has no INT8 form.
const QuantTraits* quant_traits(const Node& node);

/// The layout of \p node's weight of shape \p w, or nullopt when the op has none or the shape does not fit.
std::optional<WeightLayout> weight_layout(const Node& node, const Shape& w);

/// The factor on \p node's product (Gemm's alpha; 1 for every other op).
float product_scale(const Node& node);
/// The factor on \p node's bias (Gemm's beta; 1 for every other op).
float bias_scale(const Node& node);

/// Whether \p bias is a scalar or one value per channel of \p channels ([N] or [1, N]).
bool is_channel_bias(const Tensor& bias, int64_t channels);

}  // namespace ptqc
