// SPDX-License-Identifier: Apache-2.0
#include "common/profiling/bench_results.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace spstudio::bench {
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

nlohmann::ordered_json spread_json(const Spread& s) {
  return {{"median", s.median}, {"min", s.min}, {"max", s.max}, {"p25", s.p25}, {"p75", s.p75}, {"count", s.count}};
}

using Json = nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::runtime_error("bench JSON: " + where + ": " + what);
}

const Json& field(const Json& object, const char* name, const std::string& where) {
  const auto it = object.find(name);
  if (it == object.end()) fail(where + name, "missing");
  return *it;
}

double number(const Json& object, const char* name, const std::string& where) {
  const Json& v = field(object, name, where);
  if (!v.is_number()) fail(where + name, "expected a number");
  return v.get<double>();
}

int integer(const Json& object, const char* name, const std::string& where) {
  const Json& v = field(object, name, where);
  if (!v.is_number_integer()) fail(where + name, "expected an integer");
  return v.get<int>();
}

Spread spread_from(const Json& object, const char* name, const std::string& where) {
  const Json& v = field(object, name, where);
  const std::string inner = where + name + ".";
  if (!v.is_object()) fail(where + name, "expected an object");
  Spread s;
  s.median = number(v, "median", inner);
  s.min = number(v, "min", inner);
  s.max = number(v, "max", inner);
  s.p25 = number(v, "p25", inner);
  s.p75 = number(v, "p75", inner);
  const Json& count = field(v, "count", inner);
  if (!count.is_number_unsigned()) fail(inner + "count", "expected a count");
  s.count = count.get<std::size_t>();
  return s;
}

ConfigResult config_from(const Json& c, const std::string& where) {
  if (!c.is_object()) fail(where.substr(0, where.size() - 1), "expected an object");
  ConfigResult r;
  r.degrees = {integer(c, "ulysses_degree", where), integer(c, "ring_degree", where)};
  if (r.degrees.ulysses_degree < 1 || r.degrees.ring_degree < 1)
    fail(where + "ulysses_degree", "degrees must be at least 1");
  r.world = integer(c, "world", where);
  r.images = integer(c, "images", where);
  r.steps_per_image = integer(c, "steps_per_image", where);
  r.step_ms = spread_from(c, "step_ms", where);
  r.images_per_s = number(c, "images_per_s", where);
  r.wall_ms = number(c, "wall_ms", where);
  const Json& shares = field(c, "time_share", where);
  const std::string in_shares = where + "time_share.";
  if (!shares.is_object()) fail(where + "time_share", "expected an object");
  r.shares = {number(shares, "attention", in_shares), number(shares, "all_to_all", in_shares),
              number(shares, "ring_p2p", in_shares), number(shares, "other", in_shares)};
  const Json& peaks = field(c, "peak_memory_bytes", where);
  if (!peaks.is_array()) fail(where + "peak_memory_bytes", "expected a list of byte counts");
  for (std::size_t i = 0; i < peaks.size(); ++i) {
    if (!peaks[i].is_number_unsigned())
      fail(where + "peak_memory_bytes[" + std::to_string(i) + "]", "expected a byte count");
    r.peak_memory_bytes.push_back(peaks[i].get<std::uint64_t>());
  }
  r.preview_latency_ms = spread_from(c, "preview_latency_ms", where);
  r.startup_ms = number(c, "startup_ms", where);
  const Json& devices = field(c, "devices", where);
  if (!devices.is_array()) fail(where + "devices", "expected a list of device names");
  for (std::size_t i = 0; i < devices.size(); ++i) {
    if (!devices[i].is_string()) fail(where + "devices[" + std::to_string(i) + "]", "expected a device name");
    r.devices.push_back(devices[i].get<std::string>());
  }
  if (const auto backend = c.find("backend"); backend != c.end()) {  // absent in files before issue 7
    if (!backend->is_string()) fail(where + "backend", "expected a communicator name");
    r.backend = backend->get<std::string>();
  }
  return r;
}

}  // namespace

std::string config_label(const ParallelConfig& c) {
  return std::to_string(c.ulysses_degree) + "x" + std::to_string(c.ring_degree);
}

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
      "config",     "world",    "comm",  "step ms median [min-max]", "images/s",  "attention",
      "all-to-all", "ring P2P", "other", "peak MiB per rank",        "preview ms"};
  std::vector<std::vector<std::string>> rows = {header};
  for (const auto& r : results) {
    std::string peaks;
    for (const auto bytes : r.peak_memory_bytes)
      peaks += (peaks.empty() ? "" : "/") + format("%.0f", static_cast<double>(bytes) / (1024.0 * 1024.0));
    rows.push_back({config_label(r.degrees), std::to_string(r.world), r.backend.empty() ? "-" : r.backend,
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

std::string bench_json(const BenchRun& run) {
  nlohmann::ordered_json configs = nlohmann::ordered_json::array();
  for (const auto& r : run.configs) {
    configs.push_back({{"config", config_label(r.degrees)},
                       {"ulysses_degree", r.degrees.ulysses_degree},
                       {"ring_degree", r.degrees.ring_degree},
                       {"world", r.world},
                       {"devices", r.devices},
                       {"backend", r.backend},
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
  nlohmann::ordered_json j = {{"format", kBenchFormat}, {"model", run.model}, {"height", run.height},
                              {"width", run.width},     {"steps", run.steps}, {"warmup", run.warmup},
                              {"repeat", run.repeat},   {"configs", configs}};
  return j.dump(2) + "\n";
}

BenchRun bench_from_json(const std::string& text) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::parse_error& e) {
    fail("text", std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object() || j.value("format", "") != kBenchFormat)
    fail("format", std::string("expected \"format\": \"") + kBenchFormat + "\"");
  BenchRun run;
  const Json& model = field(j, "model", "");
  if (!model.is_string()) fail("model", "expected a string");
  run.model = model.get<std::string>();
  run.height = integer(j, "height", "");
  run.width = integer(j, "width", "");
  run.steps = integer(j, "steps", "");
  run.warmup = integer(j, "warmup", "");
  run.repeat = integer(j, "repeat", "");
  const Json& configs = field(j, "configs", "");
  if (!configs.is_array()) fail("configs", "expected a list");
  for (std::size_t i = 0; i < configs.size(); ++i)
    run.configs.push_back(config_from(configs[i], "configs[" + std::to_string(i) + "]."));
  return run;
}

std::vector<ParallelConfig> parse_config_list(const std::string& text) {
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
    if (!ok) throw std::invalid_argument("\"" + item + "\" is not a configuration UxR with degrees >= 1 (e.g. 2x1)");
    configs.push_back({u, r});
  }
  if (configs.empty()) throw std::invalid_argument("needs at least one configuration, e.g. 1x1,2x1");
  return configs;
}

}  // namespace spstudio::bench
