// SPDX-License-Identifier: Apache-2.0
// Recorded streams: the preamble followed by the frames the supervisor received from every rank,
// in arrival order (each worker → supervisor message names its rank). The GUI replays one without
// workers; tests and demos use them where there is no GPU. Read with the same FrameDecoder.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

#include "common/wire/codec.h"

namespace spstudio::wire {

/// Appends frames to a file; the preamble is written on open. Throws std::runtime_error naming
/// the path when the file cannot be written.
class RecordingWriter {
 public:
  explicit RecordingWriter(const std::filesystem::path& path);
  ~RecordingWriter();
  RecordingWriter(const RecordingWriter&) = delete;
  RecordingWriter& operator=(const RecordingWriter&) = delete;

  void write(const Message& message);
  void flush();

 private:
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
};

/// Every message of a recording. Throws ProtocolError (with the path and byte offset in the
/// message) for a malformed or truncated file, std::runtime_error when it cannot be read.
std::vector<Message> read_recording(const std::filesystem::path& path);

}  // namespace spstudio::wire
