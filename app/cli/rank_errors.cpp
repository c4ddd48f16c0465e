// SPDX-License-Identifier: Apache-2.0
#include "app/cli/rank_errors.h"

#include <algorithm>
#include <sstream>
#include <utility>
#include <vector>

namespace spstudio::cli {

namespace {

/// "rank 12: message" → 12 and the message; false for any other line. (No std::regex: GCC 12
/// warns inside it under the sanitizers.)
bool parse_block_start(const std::string& line, int* rank, std::string* message) {
  if (line.rfind("rank ", 0) != 0) return false;
  std::size_t end = 5;
  while (end < line.size() && end < 14 && line[end] >= '0' && line[end] <= '9')
    ++end;
  if (end == 5 || line.compare(end, 2, ": ") != 0) return false;
  *rank = std::stoi(line.substr(5, end - 5));
  *message = line.substr(end + 2);
  return true;
}

}  // namespace

std::string condense_rank_errors(const std::string& text) {
  std::vector<std::pair<std::vector<int>, std::string>> blocks;  // ranks, message (first-seen order)
  std::string preamble;
  int current_rank = -1;
  std::string current;
  auto flush = [&] {
    if (current_rank < 0) return;
    const auto same = std::find_if(blocks.begin(), blocks.end(), [&](const auto& b) { return b.second == current; });
    if (same != blocks.end())
      same->first.push_back(current_rank);
    else
      blocks.push_back({{current_rank}, current});
  };
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    int rank = 0;
    std::string message;
    if (parse_block_start(line, &rank, &message)) {
      flush();
      current_rank = rank;
      current = message;
    } else if (current_rank >= 0) {
      current += "\n" + line;
    } else {
      preamble += (preamble.empty() ? "" : "\n") + line;
    }
  }
  flush();
  if (blocks.empty()) return text;
  std::string out = preamble;
  for (auto& [ranks, message] : blocks) {
    std::sort(ranks.begin(), ranks.end());
    std::string names;
    for (const int r : ranks)
      names += (names.empty() ? "" : ", ") + std::to_string(r);
    out += (out.empty() ? "" : "\n") + std::string(ranks.size() == 1 ? "rank " : "ranks ") + names + ": " + message;
  }
  return out;
}

std::string pool_failure_text(const std::string& message) {
  const std::string marker = "\nits last output:\n";
  const auto at = message.find(marker);
  if (at == std::string::npos) return message;
  std::string text = message.substr(0, at);
  if (text.find("\nits last error: ") != std::string::npos) return text;
  std::istringstream tail(message.substr(at + marker.size()));
  std::string line, last;
  while (std::getline(tail, line)) {
    const auto begin = line.find_first_not_of(' ');
    if (begin != std::string::npos) last = line.substr(begin);
  }
  return last.empty() ? text : text + "\nits last output: " + last;
}

}  // namespace spstudio::cli
