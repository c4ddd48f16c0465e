// SPDX-License-Identifier: Apache-2.0
#include "sp/sp_context.h"

#include <algorithm>

#include "sp/errors.h"

namespace spstudio::sp {

std::string describe_shard_group(const std::string& group) {
  return group.empty() ? std::string("the default shard group") : "shard group '" + group + "'";
}

SpContext::SpContext(SpGroups groups, Mode mode) : groups_(std::move(groups)), mode_(mode) {}

std::shared_ptr<SpContext> SpContext::single_process(Mode mode) {
  return std::make_shared<SpContext>(single_process_groups(), mode);
}

bool SpContext::sp_active() const {
  if (!enabled_ || world_size() <= 1) return false;
  return mode_ == Mode::Manual || !regions_.empty();
}

void SpContext::begin_forward() {
  regions_.clear();
  padding_.clear();
}

void SpContext::open_region(std::string opened_by, int level) {
  regions_.push_back({std::move(opened_by), level});
}

int SpContext::close_regions(int level) {
  const auto before = regions_.size();
  regions_.erase(std::remove_if(regions_.begin(), regions_.end(), [&](const SpRegion& r) { return r.level >= level; }),
                 regions_.end());
  return static_cast<int>(before - regions_.size());
}

void SpContext::record_padding(const std::string& group, PadRecord record) {
  const auto it = padding_.find(group);
  if (it == padding_.end()) {
    padding_.emplace(group, std::move(record));
    return;
  }
  if (it->second.original != record.original)
    throw SequenceParallelError(record.recorded_by + ": length " + std::to_string(record.original) + " in " +
                                describe_shard_group(group) + " differs from the " +
                                std::to_string(it->second.original) + " recorded by " + it->second.recorded_by +
                                "; tensors of one group must share the same global sequence length (give this one "
                                "its own shard_group)");
}

std::optional<PadRecord> SpContext::padding(const std::string& group) const {
  const auto it = padding_.find(group);
  if (it == padding_.end()) return std::nullopt;
  return it->second;
}

void SpContext::clear_padding(const std::string& group) {
  padding_.erase(group);
}

}  // namespace spstudio::sp
