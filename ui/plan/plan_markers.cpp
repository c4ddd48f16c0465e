// SPDX-License-Identifier: Apache-2.0
// Marker texts for plan entries (the tree's Plan column, the spec list).
#include "ui/plan/plan_markers.h"

namespace spstudio::ui {
namespace {

std::string expects(std::optional<int> expected_dims, bool wanted) {
  return wanted && expected_dims ? ", expects " + std::to_string(*expected_dims) + "-D" : std::string();
}

std::string text_len_text(const TextLenSource& source) {
  if (const auto* n = std::get_if<std::int64_t>(&source)) return std::to_string(*n);
  return std::get<std::string>(source);
}

}  // namespace

const char* marker_kind_name(MarkerKind kind) {
  switch (kind) {
    case MarkerKind::Split:
      return "split";
    case MarkerKind::Partial:
      return "partial";
    case MarkerKind::SplitOutput:
      return "split_output";
    case MarkerKind::Gather:
      return "gather";
  }
  return "";
}

bool is_output_split(const InputSplit& split) {
  const auto* one = std::get_if<SplitSpec>(&split.value);
  return split.key.is_index() || (one && spstudio::split_output(*one));
}

std::string describe_split_spec(const SplitSpec& spec, bool with_expected_dims) {
  std::string text = "dim " + std::to_string(split_dim(spec)) + expects(expected_dims(spec), with_expected_dims);
  if (const auto* partial = std::get_if<SequenceParallelPartialInput>(&spec))
    return text + ", text_len " + text_len_text(partial->text_len);
  if (auto_pad(spec)) text += ", pad";
  if (auto group = shard_group(spec)) text += ", group " + *group;
  return text;
}

std::string describe_gather_spec(const SequenceParallelOutput& spec, bool with_expected_dims) {
  std::string text = "dim " + std::to_string(spec.gather_dim) + expects(spec.expected_dims, with_expected_dims);
  if (spec.shard_group) text += ", group " + *spec.shard_group;
  return text;
}

std::vector<PlanMarker> entry_markers(const PlanEntry& entry) {
  std::vector<PlanMarker> markers;
  for (const InputSplit& s : entry.splits) {
    if (is_output_split(s)) continue;
    const std::string name = s.key.to_string();
    if (const auto* one = std::get_if<SplitSpec>(&s.value)) {
      const MarkerKind kind = is_partial(*one) ? MarkerKind::Partial : MarkerKind::Split;
      markers.push_back(
          {kind, std::string(marker_kind_name(kind)) + " " + name + " (" + describe_split_spec(*one) + ")"});
      continue;
    }
    const auto& list = std::get<std::vector<std::optional<SplitSpec>>>(s.value);
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (!list[i]) continue;
      const MarkerKind kind = is_partial(*list[i]) ? MarkerKind::Partial : MarkerKind::Split;
      markers.push_back({kind, std::string(marker_kind_name(kind)) + " " + name + "[" + std::to_string(i) + "] (" +
                                   describe_split_spec(*list[i]) + ")"});
    }
  }

  // Output splits: "split_output 2, 3 (dim 0, pad)" for consecutive items with the same spec.
  std::string keys, description;
  auto flush = [&] {
    if (!keys.empty()) markers.push_back({MarkerKind::SplitOutput, "split_output " + keys + " (" + description + ")"});
    keys.clear();
  };
  for (const InputSplit& s : entry.splits) {
    if (!is_output_split(s)) continue;
    const auto* one = std::get_if<SplitSpec>(&s.value);
    const std::string text = one ? describe_split_spec(*one) : std::string("a list");
    if (!keys.empty() && text != description) flush();
    keys += (keys.empty() ? "" : ", ") + s.key.to_string();
    description = text;
  }
  flush();

  if (entry.gather) {
    std::string text;
    for (std::size_t i = 0; i < entry.gather->size(); ++i) {
      const auto& g = (*entry.gather)[i];
      if (g) text += (text.empty() ? "" : ", ") + ("[" + std::to_string(i) + "] " + describe_gather_spec(*g));
    }
    if (text.empty()) text = entry.gather->empty() ? "(no outputs)" : "(every output null)";
    markers.push_back({MarkerKind::Gather, "gather " + text});
  }
  return markers;
}

}  // namespace spstudio::ui
