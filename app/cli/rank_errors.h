// SPDX-License-Identifier: Apache-2.0
// A failed job's error lists each rank's message ("rank 1: ...", one block per rank, messages may
// span lines). Ranks usually fail alike (every rank checks the same plan), so the CLI's one line
// says it once: "ranks 0, 1, 2: <message>".
#pragma once

#include <string>

namespace spstudio::cli {

/// Groups identical per-rank blocks; text without "rank N: " blocks is returned unchanged.
std::string condense_rank_errors(const std::string& text);

/// A pool failure (app/session/failure_text.h: headline, "its last error: ...", "its last
/// output:" and up to 30 lines) shortened for the CLI's line: the headline and the last error, or
/// the last output line when the worker reported no error.
std::string pool_failure_text(const std::string& message);

}  // namespace spstudio::cli
