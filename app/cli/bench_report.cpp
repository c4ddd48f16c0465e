// SPDX-License-Identifier: Apache-2.0
#include "app/cli/bench_report.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/cli/cli_options.h"

namespace spstudio::cli {
namespace {

double quantile(const std::vector<double>& sorted, double q) {
  const double position = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(position);
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - static_cast<double>(below));
}

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), pattern, value);
  return buffer;
}

std::string config_label(const ParallelConfig& c) {
  return std::to_string(c.ulysses_degree) + "x" + std::to_string(c.ring_degree);
}

nlohmann::ordered_json spread_json(const Spread& s) {
  return {{"median", s.median}, {"min", s.min}, {"max", s.max}, {"p25", s.p25}, {"p75", s.p75}, {"count", s.count}};
}

}  // namespace

Spread spread_of(std::vector<double> values) {
  Spread s;
  s.count = values.size();
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  s.min = values.front();
  s.max = values.back();
  s.median = quantile(values, 0.5);
  s.p25 = quantile(values, 0.25);
  s.p75 = quantile(values, 0.75);
  return s;
}

TimeShares time_shares(const std::vector<profiling::StepBreakdown>& steps) {
  struct Sums {
    double step = 0, attention = 0, all_to_all = 0, ring_p2p = 0, other = 0;
  };
  std::map<int, Sums> per_rank;
  for (const auto& s : steps) {
    Sums& sums = per_rank[s.rank];
    sums.step += s.step_ms;
    sums.attention += s.attention_ms;
    sums.all_to_all += s.all_to_all_ms;
    sums.ring_p2p += s.ring_p2p_ms;
    sums.other += s.other_ms;
  }
  TimeShares shares;
  int ranks = 0;
  for (const auto& [rank, sums] : per_rank) {
    if (sums.step <= 0) continue;
    shares.attention += sums.attention / sums.step;
    shares.all_to_all += sums.all_to_all / sums.step;
    shares.ring_p2p += sums.ring_p2p / sums.step;
    shares.other += sums.other / sums.step;
    ++ranks;
  }
  if (ranks > 0) {
    shares.attention /= ranks;
    shares.all_to_all /= ranks;
    shares.ring_p2p /= ranks;
    shares.other /= ranks;
  }
  return shares;
}

std::string bench_table(const std::vector<ConfigResult>& results) {
  const std::vector<std::string> header = {
      "config",   "world", "step ms median [min-max]", "images/s",  "attention", "all-to-all",
      "ring P2P", "other", "peak MiB per rank",        "preview ms"};
  std::vector<std::vector<std::string>> rows = {header};
  for (const auto& r : results) {
    std::string peaks;
    for (const auto bytes : r.peak_memory_bytes)
      peaks += (peaks.empty() ? "" : "/") + format("%.0f", static_cast<double>(bytes) / (1024.0 * 1024.0));
    rows.push_back({config_label(r.degrees), std::to_string(r.world),
                    format("%.1f", r.step_ms.median) + " [" + format("%.1f", r.step_ms.min) + "-" +
                        format("%.1f", r.step_ms.max) + "]",
                    format("%.3f", r.images_per_s), format("%.1f%%", 100 * r.shares.attention),
                    format("%.1f%%", 100 * r.shares.all_to_all), format("%.1f%%", 100 * r.shares.ring_p2p),
                    format("%.1f%%", 100 * r.shares.other), peaks.empty() ? "-" : peaks,
                    r.preview_latency_ms.count == 0 ? "-" : format("%.2f", r.preview_latency_ms.median)});
  }
  std::vector<std::size_t> widths(header.size(), 0);
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c)
      widths[c] = std::max(widths[c], row[c].size());
  std::ostringstream out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - row[c].size() + 2, ' ');
    }
    out << line << '\n';
  }
  return out.str();
}

std::string bench_json(const std::vector<ConfigResult>& results, const std::string& model, int height, int width,
                       int steps, int warmup, int repeat) {
  nlohmann::ordered_json configs = nlohmann::ordered_json::array();
  for (const auto& r : results) {
    configs.push_back({{"config", config_label(r.degrees)},
                       {"ulysses_degree", r.degrees.ulysses_degree},
                       {"ring_degree", r.degrees.ring_degree},
                       {"world", r.world},
                       {"devices", r.devices},
                       {"images", r.images},
                       {"steps_per_image", r.steps_per_image},
                       {"step_ms", spread_json(r.step_ms)},
                       {"images_per_s", r.images_per_s},
                       {"wall_ms", r.wall_ms},
                       {"time_share",
                        {{"attention", r.shares.attention},
                         {"all_to_all", r.shares.all_to_all},
                         {"ring_p2p", r.shares.ring_p2p},
                         {"other", r.shares.other}}},
                       {"peak_memory_bytes", r.peak_memory_bytes},
                       {"preview_latency_ms", spread_json(r.preview_latency_ms)},
                       {"startup_ms", r.startup_ms}});
  }
  nlohmann::ordered_json j = {{"format", "spstudio-bench/1"},
                              {"model", model},
                              {"height", height},
                              {"width", width},
                              {"steps", steps},
                              {"warmup", warmup},
                              {"repeat", repeat},
                              {"configs", configs}};
  return j.dump(2) + "\n";
}

std::vector<ParallelConfig> parse_configs(const std::string& text) {
  std::vector<ParallelConfig> configs;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    const auto x = item.find('x');
    int u = 0, r = 0;
    std::size_t used_u = 0, used_r = 0;
    bool ok = x != std::string::npos && x > 0 && x + 1 < item.size();
    if (ok) {
      try {
        u = std::stoi(item.substr(0, x), &used_u);
        r = std::stoi(item.substr(x + 1), &used_r);
      } catch (const std::exception&) {
        ok = false;
      }
    }
    ok = ok && used_u == x && used_r == item.size() - x - 1 && u >= 1 && r >= 1 && u <= 1024 && r <= 1024 &&
         u * r <= 1024;
    if (!ok)
      throw CliError("--configs: \"" + item + "\" is not a configuration UxR with degrees >= 1 (e.g. 2x1)",
                     kUsageExitCode);
    configs.push_back({u, r});
  }
  if (configs.empty()) throw CliError("--configs needs at least one configuration, e.g. 1x1,2x1", kUsageExitCode);
  return configs;
}

}  // namespace spstudio::cli
