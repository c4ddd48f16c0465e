// SPDX-License-Identifier: Apache-2.0
#include "app/cli/job_summaries.h"

namespace spstudio::cli {

nlohmann::json parse_summary(const std::string& text) {
  const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return json.is_object() ? json : nlohmann::json::object();
}

nlohmann::json parse_summary(const QString& text) {
  return parse_summary(text.toStdString());
}

double number_field(const nlohmann::json& summary, const char* name, double fallback) {
  const auto it = summary.find(name);
  return it != summary.end() && it->is_number() ? it->get<double>() : fallback;
}

std::vector<std::string> rank_devices(const app::JobResult& result, const QVector<app::WorkerInfo>& workers) {
  std::vector<std::string> devices;
  const int ranks = std::max<int>(static_cast<int>(result.rank_summaries.size()), static_cast<int>(workers.size()));
  for (int rank = 0; rank < ranks; ++rank) {
    std::string device;
    if (rank < result.rank_summaries.size()) {
      const auto summary = parse_summary(result.rank_summaries[rank]);
      if (summary.contains("device") && summary["device"].is_string()) device = summary["device"].get<std::string>();
    }
    if (device.empty())
      for (const auto& worker : workers)
        if (worker.rank == rank) device = worker.device.toStdString();
    devices.push_back(device);
  }
  return devices;
}

std::vector<std::uint64_t> rank_peak_memory(const app::JobResult& result) {
  std::vector<std::uint64_t> peaks;
  for (const auto& text : result.rank_summaries)
    peaks.push_back(static_cast<std::uint64_t>(number_field(parse_summary(text), "peak_memory_bytes")));
  return peaks;
}

}  // namespace spstudio::cli
