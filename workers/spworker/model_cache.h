// SPDX-License-Identifier: Apache-2.0
// The worker keeps the last pipeline it loaded (jobs usually repeat the model) and remembers which
// plan and groups its transformer is hooked with, re-hooking only when a job asks for others.
#pragma once

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <memory>
#include <optional>
#include <string>

#include "common/plan.h"
#include "models/flux/pipeline.h"
#include "sp/sp_context.h"
#include "worker_args.h"

namespace spstudio::workers {

/// The plan of a job: its plan_json, or the model family's shipped plan when empty. Throws
/// WorkerError(PlanInvalid) with every problem, each naming its plan entry.
SequenceParallelPlan resolve_plan(const std::string& plan_json);

/// The dtype of a worker's weights and activations: --dtype, or for auto bfloat16 on CUDA (what
/// FLUX.1 checkpoints are and what the flash kernels take) and float32 on the CPU (where LibTorch's
/// bfloat16 kernels are slow and the reference tests compare in float32).
at::ScalarType resolve_dtype(DtypeRequest request, c10::Device device);

/// "float32", "bfloat16", "float16" (the --dtype spellings), else LibTorch's name.
std::string dtype_name(at::ScalarType dtype);

class ModelCache {
 public:
  /// Models load onto `device` in `dtype` (latents, scheduler and outputs stay float32 where the
  /// pipeline keeps them so).
  explicit ModelCache(c10::Device device, at::ScalarType dtype = at::kFloat) : device_(device), dtype_(dtype) {}

  /// `model` (builtin:tiny-flux or a pipeline folder), loaded on first use; another name replaces
  /// the cached pipeline. Throws WorkerError(ModelLoad) naming the model and what failed.
  models::flux::FluxPipeline& pipeline(const std::string& model);

  /// Hooks the cached pipeline's transformer with `plan` on `context` (unhooking a previous plan),
  /// unless it already is. Throws WorkerError(PlanInvalid) when the plan does not fit the model.
  void use_plan(const SequenceParallelPlan& plan, const sp::SpContextPtr& context);

  c10::Device device() const { return device_; }
  at::ScalarType dtype() const { return dtype_; }

 private:
  c10::Device device_;
  at::ScalarType dtype_;
  std::string model_;
  std::unique_ptr<models::flux::FluxPipeline> pipeline_;
  std::optional<SequenceParallelPlan> applied_plan_;
  std::string applied_plan_text_;
  sp::SpContextPtr applied_context_;
};

}  // namespace spstudio::workers
