// SPDX-License-Identifier: Apache-2.0
#include "common/wire/recording.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace spstudio::wire {
namespace {

std::runtime_error file_error(const char* what, const std::filesystem::path& path, int error) {
  return std::runtime_error(std::string(what) + " " + path.string() + ": " + std::strerror(error));
}

/// The same error with the recording's path in front.
ProtocolError in_file(const std::filesystem::path& path, const ProtocolError& e) {
  return ProtocolError(e.kind(), "recording " + path.string() + ": " + e.what(), e.version());
}

}  // namespace

RecordingWriter::RecordingWriter(const std::filesystem::path& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) throw file_error("cannot create the recording", path, errno);
  const std::vector<std::uint8_t> preamble = encode_preamble();
  if (std::fwrite(preamble.data(), 1, preamble.size(), file_) != preamble.size()) {
    const int error = errno;
    std::fclose(file_);
    throw file_error("cannot write the recording", path, error);
  }
}

RecordingWriter::~RecordingWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void RecordingWriter::write(const Message& message) {
  const std::vector<std::uint8_t> frame = encode_frame(message);
  if (std::fwrite(frame.data(), 1, frame.size(), file_) != frame.size()) {
    throw file_error("cannot write the recording", path_, errno);
  }
}

void RecordingWriter::flush() {
  if (std::fflush(file_) != 0) throw file_error("cannot write the recording", path_, errno);
}

std::vector<Message> read_recording(const std::filesystem::path& path) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (file == nullptr) throw file_error("cannot open the recording", path, errno);
  FrameDecoder decoder(FrameDecoder::Options{/*expect_preamble=*/true});
  std::vector<Message> messages;
  std::vector<std::uint8_t> chunk(1 << 20);
  std::uint64_t total = 0;
  try {
    while (const std::size_t got = std::fread(chunk.data(), 1, chunk.size(), file.get())) {
      total += got;
      decoder.feed(chunk.data(), got);
      while (std::optional<Message> message = decoder.next())
        messages.push_back(std::move(*message));
    }
    if (std::ferror(file.get())) throw file_error("cannot read the recording", path, errno);
    decoder.finish();
  } catch (const ProtocolError& e) {
    throw in_file(path, e);
  }
  if (total == 0) {
    throw in_file(path, ProtocolError(ProtocolError::Kind::Truncated,
                                      "the file is empty (a recording starts with the SP Studio preamble)"));
  }
  return messages;
}

}  // namespace spstudio::wire
