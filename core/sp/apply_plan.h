// SPDX-License-Identifier: Apache-2.0
// Making a model sequence-parallel from a plan, with no shard/gather code in the model
// (vLLM-Omni's apply_sequence_parallel / remove_sequence_parallel).
#pragma once

#include <torch/nn/module.h>

#include "common/manifest.h"
#include "common/plan.h"
#include "sp/hooks/hookable_module.h"
#include "sp/sp_context.h"

namespace spstudio::sp {

/// Validates `plan` against the model's module tree and the context's degrees (PlanError listing
/// every problem, before anything is registered), then registers a split hook per entry with
/// splits, a gather hook per entry with a gather (one per module a wildcard covers), the forward
/// guard on the root, and hands `context` to every SpParticipant (attention layers).
void apply_sequence_parallel(HookableModule& model, const SequenceParallelPlan& plan, SpContextPtr context);

/// Removes what apply_sequence_parallel registered for `plan` and detaches the attention layers.
void remove_sequence_parallel(HookableModule& model, const SequenceParallelPlan& plan);

/// Keeps the hooks but makes them pass everything through (and attention run locally), or undoes
/// that. Throws std::logic_error when no plan is applied to `model`.
void disable_sequence_parallel(HookableModule& model);
void enable_sequence_parallel(HookableModule& model);

/// The context applied to `model`, or nullptr.
SpContextPtr applied_sp_context(const HookableModule& model);

/// Hands `context` to every SpParticipant under `model` (nullptr detaches). Manual SP uses this
/// with a Mode::Manual context; apply_sequence_parallel calls it too.
void attach_sp_context(torch::nn::Module& model, const SpContextPtr& context);

/// The module tree of a live model: names, classes, containers, signatures, attention heads.
/// No shapes (record_manifest in sp/record_shapes.h adds those).
ModuleNode describe_module_tree(const torch::nn::Module& model);

/// The submodule at a concrete dotted path ("" = `model`), or nullptr.
torch::nn::Module* find_submodule(torch::nn::Module& model, const std::string& path);

}  // namespace spstudio::sp
