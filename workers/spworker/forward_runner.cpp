// SPDX-License-Identifier: Apache-2.0
#include "forward_runner.h"

#include <chrono>
#include <set>

#include "component_loader.h"
#include "models/weights/safetensors.h"
#include "models/weights/safetensors_writer.h"
#include "sp/apply_plan.h"

namespace spstudio::workers {
namespace {

struct InputSpec {
  std::vector<std::string> required, optional;
};

InputSpec inputs_of(Component component, const LoadedComponent& c) {
  switch (component) {
    case Component::Transformer: {
      InputSpec s{{"hidden_states", "encoder_hidden_states", "pooled_projections", "timestep", "img_ids", "txt_ids"},
                  {}};
      if (c.transformer->config().guidance_embeds) s.required.push_back("guidance");
      return s;
    }
    case Component::VaeDecoder:
      return {{"z"}, {}};
    case Component::TextEncoder:
      return {{"input_ids"}, {}};
    case Component::TextEncoder2:
      return {{"input_ids"}, {"attention_mask"}};
  }
  return {};
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out;
}

/// The inputs by name, checked against `spec`: one error lists every missing and unexpected name
/// and what the component expects.
std::map<std::string, at::Tensor> read_inputs(const std::string& path, Component component, const InputSpec& spec) {
  const models::SafetensorsFile file(path);
  const std::vector<std::string> names = file.names();
  std::vector<std::string> missing, unexpected;
  for (const std::string& r : spec.required)
    if (!file.contains(r)) missing.push_back(r);
  for (const std::string& n : names)
    if (std::find(spec.required.begin(), spec.required.end(), n) == spec.required.end() &&
        std::find(spec.optional.begin(), spec.optional.end(), n) == spec.optional.end())
      unexpected.push_back(n);
  if (!missing.empty() || !unexpected.empty()) {
    std::string message = path + ": inputs do not match the " + component_name(component) + "'s parameters:";
    if (!missing.empty()) message += " missing " + join(missing) + ";";
    if (!unexpected.empty()) message += " unexpected " + join(unexpected) + ";";
    message += " expected " + join(spec.required);
    if (!spec.optional.empty()) message += " (optional: " + join(spec.optional) + ")";
    throw WorkerError(wire::ExitCode::BadArguments, message);
  }
  std::map<std::string, at::Tensor> inputs;
  for (const std::string& n : names) {
    const at::Tensor t = file.tensor(n);
    inputs[n] = at::isFloatingType(t.scalar_type()) ? file.load(n, at::kFloat) : file.load(n, at::kLong);
  }
  return inputs;
}

/// The component's forward with diffusers' output names.
models::NamedTensors run_component(Component component, LoadedComponent& c, std::map<std::string, at::Tensor>& in,
                                   c10::Device device) {
  at::NoGradGuard no_grad;
  auto floating = [&](const std::string& name, const at::Tensor& like) {
    return in.at(name).to(device, like.scalar_type());
  };
  switch (component) {
    case Component::Transformer: {
      const at::Tensor& w = c.transformer->x_embedder->weight;
      models::flux::FluxTransformerInputs x;
      x.hidden_states = floating("hidden_states", w);
      x.encoder_hidden_states = floating("encoder_hidden_states", w);
      x.pooled_projections = floating("pooled_projections", w);
      x.timestep = floating("timestep", w);
      // diffusers deprecated batched ids [1, S, 3] and takes the first
      auto ids = [&](const std::string& name) {
        at::Tensor t = in.at(name).to(device, at::kFloat);
        return t.dim() == 3 ? t.select(0, 0) : t;
      };
      x.img_ids = ids("img_ids");
      x.txt_ids = ids("txt_ids");
      if (in.count("guidance")) x.guidance = floating("guidance", w);
      return {{"sample", c.transformer->forward(x)}};
    }
    case Component::VaeDecoder: {
      const at::Tensor w = c.vae->decoder->parameters().front();  // a copy: parameters() is a temporary
      return {{"sample", c.vae->decode_z(floating("z", w))}};
    }
    case Component::TextEncoder: {
      const models::CLIPTextOutput out = c.text_encoder->forward(in.at("input_ids").to(device));
      return {{"last_hidden_state", out.last_hidden_state}, {"pooler_output", out.pooler_output}};
    }
    case Component::TextEncoder2: {
      const at::Tensor mask = in.count("attention_mask") ? in.at("attention_mask").to(device) : at::Tensor();
      return {{"last_hidden_state", c.text_encoder_2->forward(in.at("input_ids").to(device), mask)}};
    }
  }
  return {};
}

}  // namespace

void run_forward(WorkerContext& w, const wire::ForwardJob& job) {
  Component component = Component::Transformer;
  LoadedComponent loaded;
  std::map<std::string, at::Tensor> inputs;
  const bool prepared = prepare_on_every_rank(w, job.job_id, [&] {
    component = parse_component(job.component);
    sp::SpContextPtr context;  // groups first: building them is a collective every rank reaches
    if (component == Component::Transformer)
      context = w.groups.context({static_cast<int>(job.ulysses_degree), static_cast<int>(job.ring_degree)});
    loaded = load_component(w.models, job.model, component);
    try {
      inputs = read_inputs(job.inputs_path, component, inputs_of(component, loaded));
    } catch (const WorkerError&) {
      throw;
    } catch (const std::exception& e) {
      throw WorkerError(wire::ExitCode::BadArguments, std::string("cannot read the inputs: ") + e.what());
    }
    if (component != Component::Transformer) return;
    const SequenceParallelPlan plan = resolve_plan(job.plan_json);
    if (loaded.from_pipeline) {
      w.models.use_plan(plan, context);
    } else {
      try {
        sp::apply_sequence_parallel(*loaded.transformer, plan, context);
      } catch (const std::exception& e) {
        throw WorkerError(wire::ExitCode::PlanInvalid, std::string("the plan cannot be applied:\n") + e.what());
      }
    }
  });
  if (!prepared) return;

  models::NamedTensors outputs;
  const auto start = std::chrono::steady_clock::now();
  try {
    outputs = run_component(component, loaded, inputs, w.models.device());
  } catch (...) {
    fail_running_job(w, job.job_id, 0, std::current_exception());
    return;
  }
  const double forward_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json summary = w.job_summary();
  summary["forward_ms"] = forward_ms;
  summary["outputs"] = nlohmann::json::object();
  for (auto& [name, tensor] : outputs) {
    tensor = tensor.to(at::kCPU, at::kFloat).contiguous();
    summary["outputs"][name] = tensor.sizes().vec();
  }
  if (w.rank == 0) {
    try {
      models::save_safetensors(job.outputs_path, outputs);
    } catch (const std::exception& e) {  // nothing collective follows: the worker goes on
      const std::string message = "cannot write the outputs to '" + job.outputs_path + "': " + e.what();
      w.send_error(job.job_id, wire::ExitCode::JobFailed, message);
      summary["error"] = message;
      w.send_job_done(job.job_id, wire::JobStatus::Failed, 0, summary);
      return;
    }
  }
  w.send_job_done(job.job_id, wire::JobStatus::Ok, 0, summary);
}

}  // namespace spstudio::workers
