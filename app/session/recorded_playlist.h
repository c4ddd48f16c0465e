// SPDX-License-Identifier: Apache-2.0
// A recording (wire/recording.h) cut into what ReplayPool plays: the pool it came from (world, each
// rank's device and backend, from its Ready or Hello), the messages before the first job, and one
// segment per recorded job with what playback must know ahead of time: every rank's JobDone
// summary, the step times, how many images it made, and which ranks never finished it.
#pragma once

#include <QString>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/wire/messages.h"

namespace spstudio::app {

struct RecordedRank {
  QString device, backend;
  std::uint64_t memory_bytes = 0;  ///< only a recorded Hello carries it
};

/// (image_index, step) of one denoising step.
using StepKey = std::pair<std::uint32_t, std::uint32_t>;

struct RecordedJob {
  std::uint64_t recorded_id = 0;
  /// Its part of Playlist::messages, [begin, end): from after the previous job's last message to
  /// its own last one (to the end of the recording for a last job that was never finished).
  std::size_t begin = 0, end = 0;
  std::map<std::uint32_t, std::string> done_summaries;  ///< rank → its JobDone's summary_json
  std::uint32_t images = 0;                             ///< highest image_index seen + 1
  std::map<StepKey, double> step_ms;                    ///< the slowest rank's StepDone.step_ms
  std::vector<std::uint32_t> missing_done;              ///< ranks that sent no JobDone for it
};

struct Playlist {
  QString path;
  std::vector<wire::Message> messages;
  int world = 0;
  std::vector<RecordedRank> ranks;  ///< world entries
  std::size_t preamble_end = 0;     ///< the messages before the first job's first message
  std::vector<RecordedJob> jobs;    ///< in the order the recording first mentions them
  /// Non-empty when the file ends inside a frame (the reader's words): the frames before it are kept
  /// and the job it cuts into fails when playback reaches the cut.
  std::string cut_off;
};

/// Reads and cuts the recording at `path`. Throws std::runtime_error naming the path when it cannot
/// be read or decoded, has no Ready or Hello for some rank, mixes pools of different sizes, holds a
/// message only the supervisor sends or one naming a rank outside the pool, or has no job.
Playlist read_playlist(const QString& path);
/// The same checks and cut for messages already decoded; `path` only names them in errors.
Playlist make_playlist(std::vector<wire::Message> messages, const QString& path, std::string cut_off = {});

/// The job a worker message is about (StepPreview, Latent, Ranges, StepDone, ImageDone, JobDone,
/// Error with a non-zero job_id); nullopt for the others.
std::optional<std::uint64_t> job_id_of(const wire::Message& message);
/// Sets the job id of a message for which job_id_of has one; leaves the others alone.
void set_job_id(wire::Message& message, std::uint64_t job_id);
/// The step a StepPreview, Latent, StepDone or Ranges (of a step ≥ 1) belongs to.
std::optional<StepKey> step_key_of(const wire::Message& message);

}  // namespace spstudio::app
