// SPDX-License-Identifier: Apache-2.0
// The hooks a plan installs (vLLM-Omni's SequenceParallelSplitHook / SequenceParallelGatherHook):
// a split hook shards named forward arguments before the forward and output elements after it; a
// gather hook all-gathers output elements and trims auto_pad padding. A guard hook on the root
// starts each forward's bookkeeping and refuses to return a still-sharded result.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/plan.h"
#include "sp/hooks/hook_registry.h"
#include "sp/sp_context.h"

namespace spstudio::sp {

/// Registered on the root as "sp_context": sorts before "sp_input---" and "sp_output---", so its
/// pre_forward runs first and its post_forward last.
inline constexpr const char* kSpGuardHookName = "sp_context";

class SequenceParallelSplitHook final : public ModelHook {
 public:
  SequenceParallelSplitHook(std::string plan_key, std::vector<InputSplit> splits, SpContextPtr context);

  /// Checks that every named parameter is in the module's declared signature.
  void initialize(HookableModule& module) override;
  void pre_forward(HookableModule& module, Args& args) override;
  Value post_forward(HookableModule& module, Value output) override;
  void reset_state(HookableModule& module) override;

  /// Text lengths resolved for partial specs during the last call, keyed by (split index, list
  /// element or -1). Only lengths are kept between pre- and post-forward, never the arguments.
  const std::map<std::pair<std::size_t, int>, std::int64_t>& text_lengths() const { return text_lengths_; }

 private:
  Value split_argument(HookableModule& module, const Value& value, const InputSplit& split, std::size_t index,
                       bool& sharded);
  at::Tensor prepare(const at::Tensor& x, const SplitSpec& spec, const std::string& where, std::int64_t text_len);
  std::string where(const HookableModule& module, const std::string& what) const;

  std::string key_;
  std::vector<InputSplit> splits_;
  SpContextPtr context_;
  std::map<std::pair<std::size_t, int>, std::int64_t> text_lengths_;
};

class SequenceParallelGatherHook final : public ModelHook {
 public:
  SequenceParallelGatherHook(std::string plan_key, std::vector<std::optional<SequenceParallelOutput>> specs,
                             SpContextPtr context);
  Value post_forward(HookableModule& module, Value output) override;

 private:
  std::string key_;
  std::vector<std::optional<SequenceParallelOutput>> specs_;
  SpContextPtr context_;
};

class SpForwardGuardHook final : public ModelHook {
 public:
  explicit SpForwardGuardHook(SpContextPtr context) : context_(std::move(context)) {}
  void pre_forward(HookableModule& module, Args& args) override;
  Value post_forward(HookableModule& module, Value output) override;
  const SpContextPtr& context() const { return context_; }

 private:
  SpContextPtr context_;
};

}  // namespace spstudio::sp
