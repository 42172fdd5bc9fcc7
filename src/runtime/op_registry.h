#pragma once
/// \file
/// The op registry: one table from op type to its kernel and what else ptqc knows
/// about the op (OpTraits: prepared state, output stages, value copies, quantization). Keys are
/// ONNX op types of the default domain, and "ptqc.<Op>" for the INT8 ops of
/// ptqc's own domain (docs/quantization.md). Each kernel file contributes its ops through one
/// register_*_ops function, all listed in op_registry.cpp.

#include <map>
#include <string>
#include <vector>

#include "runtime/op_context.h"

namespace ptqc {

struct QuantTraits;

/// Which inputs an op's outputs are made of, value for value (Concat, Slice, MaxPool, ...).
enum class ValueCopy {
  kNone,        ///< The outputs are computed.
  /// Every output element is an element of input 0, chosen by its position or by the order
  /// of the values (MaxPool): so the op commutes with any non-decreasing elementwise map.
  kFirstInput,
  kAllInputs,   ///< Every output element is an element of one of the inputs.
};

/// What the registry knows about an op besides its kernel.
struct OpTraits {
  /// The inputs the kernel's prepared state (OpContext::prepared) is built from: when each
  /// of them is absent or a constant, the executor keeps the state across runs.
  std::vector<size_t> prepared_inputs{};
  /// The kernel can absorb an AscendDequant or AscendRequant that is the only reader of its
  /// output 0 (OpContext::output_stage), with the fast kernels and no observer.
  bool output_stage = false;
  /// With FP16 activations, outputs copied from activations (never from constants) already
  /// hold FP16 values, so the executor does not round them again.
  ValueCopy copies = ValueCopy::kNone;
  /// How the op is quantized (runtime/quant_traits.h); nullptr when it has no INT8 form.
  const QuantTraits* quant = nullptr;
};

/// One op of the table.
struct OpEntry {
  KernelFn kernel = nullptr;
  OpTraits traits;
};

class OpRegistry {
 public:
  /// The table with every kernel ptqc has.
  static const OpRegistry& instance();

  void add(const std::string& op_type, KernelFn kernel, const std::string& domain = "", OpTraits traits = {});
  /// The entry for \p op_type of \p domain ("" or "ai.onnx" = default, "ptqc"), or nullptr.
  const OpEntry* find(const std::string& op_type, const std::string& domain = "") const;
  /// The entry for \p node; E19010 naming the node, its op type, domain and \p opset when there is none.
  const OpEntry& require(const Node& node, int64_t opset) const;
  std::vector<std::string> op_types() const;

 private:
  std::map<std::string, OpEntry> entries_;
};

// One function per kernel file (src/runtime/kernels/<group>.cpp).
void register_elementwise_ops(OpRegistry& registry);
void register_activation_ops(OpRegistry& registry);
void register_conv_ops(OpRegistry& registry);
void register_pool_ops(OpRegistry& registry);
void register_gemm_ops(OpRegistry& registry);
void register_normalization_ops(OpRegistry& registry);
void register_reduce_ops(OpRegistry& registry);
void register_shape_ops(OpRegistry& registry);
void register_index_ops(OpRegistry& registry);
void register_resize_ops(OpRegistry& registry);
void register_misc_ops(OpRegistry& registry);
void register_int8_ops(OpRegistry& registry);  // src/runtime/kernels/int8/

/// True when \p node's op is registered with ValueCopy::kFirstInput.
bool copies_first_input(const Node& node);

/// The domain of ptqc's own ops (AscendQuant, QConv, ...).
inline constexpr const char* kPtqcDomain = "ptqc";

}  // namespace ptqc
