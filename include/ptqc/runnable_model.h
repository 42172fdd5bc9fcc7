#pragma once
/// \file
/// A model file made ready to run: an ONNX model (dynamic dims bound, graph optimised) or a
/// compiled .om (recognised by its magic), as an Executor. The tools and ptqc-compare share it.

#include <string>

#include "ptqc/executor.h"
#include "ptqc/om.h"

namespace ptqc {

/// Loads \p path for inference with \p options. An ONNX file gets --input_shape's binding
/// \p input_shape_spec, float16 promotion, shape checking, graph optimisation and a memory plan
/// for the bound shapes (plan_execution, as an .om's TASK_INFO). An .om runs its graph and its
/// TASK_INFO plan as compiled, FP16 activations under force_fp16 and allow_mix_precision as on the
/// NPU (options.float16_activations is set from its metadata); \p input_shape_spec may only
/// restate its compiled dims, and \p om_meta (when given) receives its metadata.
Executor load_runnable_model(const std::string& path, const std::string& input_shape_spec, ExecutorOptions options,
                             OmMetadata* om_meta = nullptr);

}  // namespace ptqc
