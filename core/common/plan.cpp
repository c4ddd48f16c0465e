// SPDX-License-Identifier: Apache-2.0
#include "common/plan.h"

#include <tuple>

namespace spstudio {

std::string InputKey::to_string() const {
  if (const int* i = as_index()) return std::to_string(*i);
  return *as_name();
}

const PlanEntry* SequenceParallelPlan::find(const std::string& key) const {
  for (const PlanEntry& e : entries)
    if (e.key == key) return &e;
  return nullptr;
}

int split_dim(const SplitSpec& spec) {
  return std::visit([](const auto& s) { return s.split_dim; }, spec);
}

std::optional<int> expected_dims(const SplitSpec& spec) {
  return std::visit([](const auto& s) { return s.expected_dims; }, spec);
}

bool split_output(const SplitSpec& spec) {
  return std::visit([](const auto& s) { return s.split_output; }, spec);
}

bool auto_pad(const SplitSpec& spec) {
  const auto* full = std::get_if<SequenceParallelInput>(&spec);
  return full && full->auto_pad;
}

std::optional<std::string> shard_group(const SplitSpec& spec) {
  const auto* full = std::get_if<SequenceParallelInput>(&spec);
  return full ? full->shard_group : std::nullopt;
}

bool is_partial(const SplitSpec& spec) {
  return std::holds_alternative<SequenceParallelPartialInput>(spec);
}

std::string split_hook_name(const std::string& plan_key) {
  return "sp_input---" + plan_key;
}
std::string gather_hook_name(const std::string& plan_key) {
  return "sp_output---" + plan_key;
}

std::string describe_plan_key(const std::string& key) {
  return key.empty() ? std::string("\"\" (root)") : "\"" + key + "\"";
}

bool operator==(const SequenceParallelInput& a, const SequenceParallelInput& b) {
  return std::tie(a.split_dim, a.expected_dims, a.split_output, a.auto_pad, a.shard_group) ==
         std::tie(b.split_dim, b.expected_dims, b.split_output, b.auto_pad, b.shard_group);
}

bool operator==(const SequenceParallelPartialInput& a, const SequenceParallelPartialInput& b) {
  return std::tie(a.split_dim, a.text_len, a.expected_dims, a.split_output) ==
         std::tie(b.split_dim, b.text_len, b.expected_dims, b.split_output);
}

bool operator==(const SequenceParallelOutput& a, const SequenceParallelOutput& b) {
  return std::tie(a.gather_dim, a.expected_dims, a.shard_group) ==
         std::tie(b.gather_dim, b.expected_dims, b.shard_group);
}

bool operator==(const InputKey& a, const InputKey& b) {
  return a.value == b.value;
}

bool operator==(const InputSplit& a, const InputSplit& b) {
  return a.key == b.key && a.value == b.value;
}

bool operator==(const PlanEntry& a, const PlanEntry& b) {
  return a.key == b.key && a.splits == b.splits && a.gather == b.gather;
}

bool operator==(const SequenceParallelPlan& a, const SequenceParallelPlan& b) {
  return a.model == b.model && a.description == b.description && a.entries == b.entries;
}

}  // namespace spstudio
