// SPDX-License-Identifier: Apache-2.0
// Reading Chrome/Perfetto trace event JSON back into profiling ranges: our own export
// (chrome_trace_json: one thread per rank, args step/job/image/stream) and generic traces (complete
// "X" events and "B"/"E" pairs, ts and dur in µs, a bare JSON array or an object with traceEvents).
// Pure C++: the timeline panel imports with it, tests round-trip through it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/profiling/timeline.h"

namespace spstudio::profiling {

/// The ranges of a Chrome trace, sorted by (rank, stream, begin, longest first).
///
/// Times: begin_ns = round(ts · 1000), so our export comes back shifted to start at 0.
/// Ranks: a thread named "rank N" (thread_name metadata) is rank N; an unnamed thread of our export
/// (cat "spstudio") is rank tid − 1; every other thread gets the next free rank, in (pid, tid)
/// order. Fields: args.step, args.job, args.image, args.stream (integers, 0 when absent).
/// Depth: the nesting level within (rank, stream), rebuilt from the times (the export keeps none).
/// A "B" without its "E" ends at the last timestamp of the trace (like chrome://tracing).
/// Other phases (instant, counter, async, flow, …) are skipped.
///
/// Throws std::runtime_error naming the event and field, e.g.
/// "trace: traceEvents[12].dur: expected a number".
std::vector<NamedRange> ranges_from_chrome_trace(const std::string& json);

/// The whole file; throws std::runtime_error "cannot read '<path>': <reason>".
std::string read_trace_file(const std::filesystem::path& path);

}  // namespace spstudio::profiling
