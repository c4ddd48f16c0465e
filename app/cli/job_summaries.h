// SPDX-License-Identifier: Apache-2.0
// Reading the workers' summary JSON (workers/SPWORKER.md "Summary JSON") out of a finished job:
// rank 0's image timings, each rank's device and peak memory.
#pragma once

#include <QString>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/session/session.h"

namespace spstudio::cli {

/// The summary as a JSON object; an empty object when it is empty or not JSON.
nlohmann::json parse_summary(const std::string& text);
nlohmann::json parse_summary(const QString& text);

/// Each rank's device: JobDone's "device", else the device the worker reported when it started.
std::vector<std::string> rank_devices(const app::JobResult& result, const QVector<app::WorkerInfo>& workers);
/// Each rank's "peak_memory_bytes" (0 when a rank did not say).
std::vector<std::uint64_t> rank_peak_memory(const app::JobResult& result);

/// A number field of `summary`, `fallback` when absent or not a number.
double number_field(const nlohmann::json& summary, const char* name, double fallback = 0);

}  // namespace spstudio::cli
