// SPDX-License-Identifier: Apache-2.0
#include "models/weights/state_dict_loading.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <set>

#include "models/weights/weights_error.h"

namespace spstudio::models {
namespace {

constexpr std::size_t kMaxListed = 20;

bool matches_any(const std::vector<std::string>& patterns, const std::string& key) {
  for (const std::string& pattern : patterns) {
    if (!pattern.empty() && pattern.back() == '*') {
      if (key.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0) return true;
    } else if (pattern == key) {
      return true;
    }
  }
  return false;
}

std::string dims_text(at::IntArrayRef shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

void append_list(std::string& message, const std::string& title, const std::vector<std::string>& items) {
  if (items.empty()) return;
  message += "\n  " + title + " (" + std::to_string(items.size()) + "):";
  for (std::size_t i = 0; i < items.size() && i < kMaxListed; ++i)
    message += "\n    " + items[i];
  if (items.size() > kMaxListed) message += "\n    ... and " + std::to_string(items.size() - kMaxListed) + " more";
}

struct Copy {
  at::Tensor target;
  std::string target_key, source_key;
};

}  // namespace

NamedTensors state_dict_of(const torch::nn::Module& module) {
  NamedTensors result;
  for (const auto& item : module.named_parameters(/*recurse=*/true))
    result.emplace_back(item.key(), item->detach());
  for (const auto& item : module.named_buffers(/*recurse=*/true))
    result.emplace_back(item.key(), item->detach());
  return result;
}

LoadReport load_state_dict(torch::nn::Module& module, const WeightSource& source, const LoadOptions& options) {
  LoadReport report;
  std::vector<Copy> copies;
  std::vector<std::string> missing, shape_mismatches, dtype_mismatches;
  std::set<std::string> used;
  for (const auto& [alias, source_key] : options.aliases)
    used.insert(source_key);

  for (const auto& [key, target] : state_dict_of(module)) {
    std::string source_key = key;
    if (!source.contains(key)) {
      const auto alias = options.aliases.find(key);
      if (alias != options.aliases.end() && source.contains(alias->second)) {
        source_key = alias->second;
        report.aliased.push_back(key + " <- " + source_key);
      } else {
        if (matches_any(options.ignore_missing, key) || !options.strict) {
          report.missing.push_back(key);
        } else {
          missing.push_back(key + (alias != options.aliases.end() ? " (nor its alias " + alias->second + ")" : ""));
        }
        continue;
      }
    }
    used.insert(source_key);
    const SafetensorsTensorInfo& found = source.info(source_key);
    const std::string from = source_key == key ? "" : " (from " + source_key + ")";
    if (found.shape != target.sizes().vec()) {
      shape_mismatches.push_back(key + from + ": module " + dims_text(target.sizes()) + ", weights " +
                                 dims_text(found.shape));
    }
    if (!found.dtype) {
      dtype_mismatches.push_back(key + from + ": unsupported dtype " + found.dtype_name + " in the weights");
    } else if (at::isFloatingType(*found.dtype) != at::isFloatingType(target.scalar_type())) {
      dtype_mismatches.push_back(key + from + ": module " + c10::toString(target.scalar_type()) + ", weights " +
                                 found.dtype_name + " (floating and non-floating do not convert)");
    }
    copies.push_back({target, key, source_key});
  }

  std::vector<std::string> unexpected;
  for (const std::string& name : source.names()) {
    if (used.count(name)) continue;
    if (matches_any(options.ignore_unexpected, name)) {
      report.ignored_unexpected.push_back(name);
    } else if (options.strict) {
      unexpected.push_back(name);
    } else {
      report.unexpected.push_back(name);
    }
  }

  if (!missing.empty() || !unexpected.empty() || !shape_mismatches.empty() || !dtype_mismatches.empty()) {
    std::string message = "cannot load '" + source.path().string() + "' into the module:";
    append_list(message, "missing keys (in the module, not in the weights)", missing);
    append_list(message, "unexpected keys (in the weights, not in the module)", unexpected);
    append_list(message, "shape mismatches", shape_mismatches);
    append_list(message, "dtype mismatches", dtype_mismatches);
    throw WeightsError(message);
  }

  const torch::NoGradGuard no_grad;
  for (Copy& copy : copies) {
    const at::Tensor value = source.tensor(copy.source_key);
    try {
      copy.target.copy_(value);
    } catch (const c10::Error& e) {
      throw WeightsError("cannot load '" + source.path().string() + "': key " + copy.target_key + ": " +
                         e.what_without_backtrace());
    }
    report.loaded.push_back(copy.target_key);
  }
  return report;
}

}  // namespace spstudio::models
