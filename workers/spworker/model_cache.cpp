// SPDX-License-Identifier: Apache-2.0
#include "model_cache.h"

#include "common/issues.h"
#include "common/plan_json.h"
#include "models/flux/pipeline_folder.h"
#include "sp/apply_plan.h"
#include "worker_error.h"

namespace spstudio::workers {

at::ScalarType resolve_dtype(DtypeRequest request, c10::Device device) {
  switch (request) {
    case DtypeRequest::Auto:
      return device.is_cuda() ? at::kBFloat16 : at::kFloat;
    case DtypeRequest::Float32:
      return at::kFloat;
    case DtypeRequest::BFloat16:
      return at::kBFloat16;
    case DtypeRequest::Float16:
      return at::kHalf;
  }
  throw std::logic_error("unknown DtypeRequest");
}

std::string dtype_name(at::ScalarType dtype) {
  switch (dtype) {
    case at::kFloat:
      return "float32";
    case at::kBFloat16:
      return "bfloat16";
    case at::kHalf:
      return "float16";
    default:
      return c10::toString(dtype);
  }
}

SequenceParallelPlan resolve_plan(const std::string& plan_json) {
  if (plan_json.empty()) return models::flux::flux_plan();
  try {
    return plan_from_json(plan_json);
  } catch (const PlanError& e) {
    throw WorkerError(wire::ExitCode::PlanInvalid, std::string("the job's plan is invalid:\n") + e.what());
  } catch (const std::exception& e) {
    throw WorkerError(wire::ExitCode::PlanInvalid, std::string("the job's plan cannot be read: ") + e.what());
  }
}

models::flux::FluxPipeline& ModelCache::pipeline(const std::string& model) {
  if (pipeline_ && model_ == model) return *pipeline_;
  pipeline_.reset();  // free the old model first: two may not fit in memory
  applied_plan_.reset();
  applied_context_.reset();
  models::flux::PipelineLoadOptions options;
  options.device = device_;
  options.dtype = dtype_;
  try {
    pipeline_ = std::make_unique<models::flux::FluxPipeline>(models::flux::load_flux_pipeline(model, options));
  } catch (const std::exception& e) {
    throw WorkerError(wire::ExitCode::ModelLoad, "cannot load the model '" + model + "': " + e.what());
  }
  model_ = model;
  return *pipeline_;
}

void ModelCache::use_plan(const SequenceParallelPlan& plan, const sp::SpContextPtr& context) {
  if (!pipeline_) throw std::logic_error("ModelCache::use_plan before a pipeline was loaded");
  const std::string text = plan_to_json(plan);
  if (applied_plan_ && applied_plan_text_ == text && applied_context_ == context) return;
  auto& transformer = *pipeline_->parts().transformer;
  if (applied_plan_) {
    sp::remove_sequence_parallel(transformer, *applied_plan_);
    applied_plan_.reset();
    applied_context_.reset();
  }
  try {
    pipeline_->apply_sequence_parallel(context, plan);
  } catch (const PlanError& e) {
    throw WorkerError(wire::ExitCode::PlanInvalid,
                      "the plan does not fit " + transformer.class_name() + ":\n" + std::string(e.what()));
  } catch (const std::invalid_argument& e) {
    throw WorkerError(wire::ExitCode::PlanInvalid, std::string("the plan cannot be applied: ") + e.what());
  }
  applied_plan_ = plan;
  applied_plan_text_ = text;
  applied_context_ = context;
}

}  // namespace spstudio::workers
