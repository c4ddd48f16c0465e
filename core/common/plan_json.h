// SPDX-License-Identifier: Apache-2.0
// The plan file format (`plans/*.json`, "spstudio-plan/1"):
//
//   { "format": "spstudio-plan/1", "model": "FluxTransformer2DModel", "description": "...",
//     "entries": {
//       "":             { "split": { "hidden_states": { "dim": 1, "expected_dims": 3, "auto_pad": true } } },
//       "rope_prepare": { "split_output": { "2": { "dim": 0 }, "3": { "dim": 0 } } },
//       "proj_out":     { "gather": [ { "dim": 1, "expected_dims": 3 } ] } } }
//
// "split" keys are forward parameter names (a list parameter takes a list of specs, null = leave
// that element); "split_output" keys are output indices; "text_len" makes a partial split.
// Parsing is structural: it rejects what cannot be represented (wrong types, unknown fields) and
// leaves semantic checks to validate_plan, so an editor can load and show a plan with mistakes.
// Round trip: plan_to_json(plan_from_json(t)) is canonical and parses back to an equal plan.
#pragma once

#include <string>

#include "common/plan.h"

namespace spstudio {

inline constexpr const char* kPlanFormat = "spstudio-plan/1";

/// Throws PlanError listing every structural problem (each with its entry key and field).
SequenceParallelPlan plan_from_json(const std::string& text);

/// Reads a plan file; errors name the file.
SequenceParallelPlan load_plan_file(const std::string& path);

/// Canonical text: two-space indentation, one line per spec, fields in a fixed order.
std::string plan_to_json(const SequenceParallelPlan& plan);

}  // namespace spstudio
