// SPDX-License-Identifier: Apache-2.0
#include "app/session/job_summaries.h"

namespace spstudio::app {

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

std::vector<std::string> rank_devices(const JobResult& result, const QVector<WorkerInfo>& workers) {
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

std::vector<std::uint64_t> rank_peak_memory(const JobResult& result) {
  std::vector<std::uint64_t> peaks;
  for (const auto& text : result.rank_summaries)
    peaks.push_back(static_cast<std::uint64_t>(number_field(parse_summary(text), "peak_memory_bytes")));
  return peaks;
}

bench::ConfigResult bench_config_result(const ParallelConfig& degrees, int steps_per_image, const JobResult& measured,
                                        double wall_ms, double startup_ms, const QVector<WorkerInfo>& workers) {
  bench::ConfigResult r;
  r.degrees = degrees;
  r.world = degrees.sp_size();
  r.images = static_cast<int>(measured.images.size());
  r.steps_per_image = steps_per_image;
  r.wall_ms = wall_ms;
  r.startup_ms = startup_ms;
  std::vector<double> step_ms;
  for (const auto& step : measured.steps)
    if (step.rank == 0) step_ms.push_back(step.step_ms);
  r.step_ms = bench::spread_of(step_ms);
  r.images_per_s = wall_ms > 0 ? r.images / (wall_ms / 1000.0) : 0;
  r.shares = bench::time_shares(profiling::step_breakdowns(measured.ranges));
  r.peak_memory_bytes = rank_peak_memory(measured);
  r.preview_latency_ms = bench::spread_of({measured.preview_latency_ms.begin(), measured.preview_latency_ms.end()});
  r.devices = rank_devices(measured, workers);
  if (!workers.isEmpty()) r.backend = workers.front().backend.toStdString();
  return r;
}

}  // namespace spstudio::app
