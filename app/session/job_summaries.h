// SPDX-License-Identifier: Apache-2.0
// Reading the workers' summary JSON (workers/SPWORKER.md "Summary JSON") out of a finished job:
// rank 0's image timings, each rank's device and peak memory, and a bench configuration's figures.
#pragma once

#include <QString>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/session/session.h"
#include "common/profiling/bench_results.h"

namespace spstudio::app {

/// The summary as a JSON object; an empty object when it is empty or not JSON.
nlohmann::json parse_summary(const std::string& text);
nlohmann::json parse_summary(const QString& text);

/// Each rank's device: JobDone's "device", else the device the worker reported when it started.
std::vector<std::string> rank_devices(const JobResult& result, const QVector<WorkerInfo>& workers);
/// Each rank's "peak_memory_bytes" (0 when a rank did not say).
std::vector<std::uint64_t> rank_peak_memory(const JobResult& result);

/// A number field of `summary`, `fallback` when absent or not a number.
double number_field(const nlohmann::json& summary, const char* name, double fallback = 0);

/// What `bench` reports for one configuration from its measured job: rank 0's step times, images/s
/// over `wall_ms`, the time shares of every rank's ranges, peak memory and devices per rank.
bench::ConfigResult bench_config_result(const ParallelConfig& degrees, int steps_per_image, const JobResult& measured,
                                        double wall_ms, double startup_ms, const QVector<WorkerInfo>& workers);

}  // namespace spstudio::app
