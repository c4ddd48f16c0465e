// SPDX-License-Identifier: Apache-2.0
// Loading checkpoint tensors into a module's parameters and buffers by their dotted names,
// strict by default, with every mismatch reported at once.
#pragma once

#include <torch/nn/module.h>

#include <map>
#include <string>
#include <vector>

#include "models/weights/safetensors_writer.h"
#include "models/weights/weight_source.h"

namespace spstudio::models {

struct LoadOptions {
  /// Missing and unexpected keys are errors (shape and dtype-kind mismatches always are).
  bool strict = true;
  /// Source keys to skip without complaint: exact names ("text_model.embeddings.position_ids",
  /// which older transformers checkpoints carry) or prefixes ending in '*' ("lm_head.*"). Only a
  /// trailing '*' is a wildcard.
  std::vector<std::string> ignore_unexpected;
  /// Module keys that may stay as initialised (same patterns), e.g. buffers computed at construction.
  std::vector<std::string> ignore_missing;
  /// Module key -> source key to use when the module key is absent from the source (tied weights:
  /// "encoder.embed_tokens.weight" -> "shared.weight"). A source key named here is never unexpected.
  std::map<std::string, std::string> aliases;
};

struct LoadReport {
  std::vector<std::string> loaded;              ///< module keys that received a value
  std::vector<std::string> aliased;             ///< "module key <- source key", for keys loaded through an alias
  std::vector<std::string> missing;             ///< module keys left as they were (non-strict or ignore_missing)
  std::vector<std::string> unexpected;          ///< source keys not used (non-strict)
  std::vector<std::string> ignored_unexpected;  ///< source keys skipped by ignore_unexpected
};

/// Copies the source's tensors into `module`'s parameters and buffers (recursive dotted names)
/// under NoGradGuard, converting between floating dtypes (F16/BF16/F32/F64 -> the parameter's
/// dtype) and between integer dtypes, onto the parameter's device. Everything is checked before
/// anything is copied: on any problem one WeightsError names the source and lists all missing keys,
/// unexpected keys, shape mismatches (expected vs found) and floating/non-floating mismatches, each
/// list capped at 20 entries with "... and N more"; the module is then left untouched.
LoadReport load_state_dict(torch::nn::Module& module, const WeightSource& source, const LoadOptions& options = {});

/// The module's parameters then buffers, with dotted names, detached: ready for save_safetensors.
NamedTensors state_dict_of(const torch::nn::Module& module);

}  // namespace spstudio::models
