// SPDX-License-Identifier: Apache-2.0
// Entry-by-entry plan differences, each side in the canonical plan text.
#include "ui/plan/plan_diff.h"

#include "common/plan_json.h"

namespace spstudio::ui {

std::string entry_json(const PlanEntry& entry) {
  // The canonical writer is the single source of the format: write a one-entry plan and cut the
  // entry out of its "entries" object, four spaces of indentation removed from every line.
  SequenceParallelPlan one;
  one.entries.push_back(entry);
  const std::string text = plan_to_json(one);
  const std::string open = "\"entries\": {\n";
  const std::string close = "\n  }\n}\n";
  const std::size_t begin = text.find(open) + open.size();
  const std::string body = text.substr(begin, text.size() - close.size() - begin);
  std::string out;
  std::size_t line_start = 0;
  while (line_start <= body.size()) {
    std::size_t line_end = body.find('\n', line_start);
    if (line_end == std::string::npos) line_end = body.size();
    const std::string line = body.substr(line_start, line_end - line_start);
    out += line.compare(0, 4, "    ") == 0 ? line.substr(4) : line;
    if (line_end == body.size()) break;
    out += '\n';
    line_start = line_end + 1;
  }
  return out;
}

std::vector<PlanEntryDiff> diff_plans(const SequenceParallelPlan& before, const SequenceParallelPlan& after) {
  std::vector<PlanEntryDiff> diffs;
  for (const PlanEntry& old_entry : before.entries) {
    const PlanEntry* new_entry = after.find(old_entry.key);
    if (!new_entry) {
      diffs.push_back({PlanEntryDiff::Change::Removed, old_entry.key, entry_json(old_entry), {}});
    } else if (!(*new_entry == old_entry)) {
      diffs.push_back({PlanEntryDiff::Change::Changed, old_entry.key, entry_json(old_entry), entry_json(*new_entry)});
    }
  }
  for (const PlanEntry& new_entry : after.entries)
    if (!before.find(new_entry.key))
      diffs.push_back({PlanEntryDiff::Change::Added, new_entry.key, {}, entry_json(new_entry)});
  return diffs;
}

const char* change_name(PlanEntryDiff::Change change) {
  switch (change) {
    case PlanEntryDiff::Change::Added:
      return "added";
    case PlanEntryDiff::Change::Removed:
      return "removed";
    case PlanEntryDiff::Change::Changed:
      return "changed";
  }
  return "";
}

}  // namespace spstudio::ui
