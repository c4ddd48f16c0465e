// SPDX-License-Identifier: Apache-2.0
// The incremental stream decoder (codec.h): preamble, frame headers checked as soon as they
// arrive (a hostile length or type is refused before its payload is awaited), sticky failure.
#include <algorithm>
#include <cstdio>
#include <iterator>

#include "common/wire/byte_io.h"
#include "common/wire/codec.h"
#include "common/wire/message_fields.h"

namespace spstudio::wire {
namespace {

std::string hex_bytes(const std::uint8_t* data, std::size_t size) {
  std::string out;
  char buf[4];
  for (std::size_t i = 0; i < size; ++i) {
    std::snprintf(buf, sizeof(buf), "%02x", data[i]);
    out += (i ? " " : "") + std::string(buf);
  }
  return out;
}

std::string at_byte(std::uint64_t offset) {
  return " (frame at stream byte " + std::to_string(offset) + ")";
}

}  // namespace

FrameDecoder::FrameDecoder() : FrameDecoder(Options{}) {}

FrameDecoder::FrameDecoder(Options options) : options_(options) {}

void FrameDecoder::feed(const std::uint8_t* data, std::size_t size) {
  if (failure_ || size == 0) return;  // a failed stream is dead: nothing after the error is read
  // Drop consumed bytes once they are at least half of the buffer, so feeding stays amortised O(n).
  if (read_pos_ > 0 && read_pos_ * 2 >= buffer_.size()) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(read_pos_));
    read_pos_ = 0;
  }
  buffer_.insert(buffer_.end(), data, data + size);
}

std::optional<Message> FrameDecoder::next() {
  if (failure_) throw *failure_;
  try {
    const std::uint8_t* p = buffer_.data() + read_pos_;
    if (options_.expect_preamble && !preamble_done_) {
      // Compare the magic as soon as any of it is here: a stranger is refused at its first byte.
      const std::size_t have = std::min(buffered(), sizeof(kMagic));
      if (!std::equal(p, p + have, std::begin(kMagic))) {
        throw ProtocolError(ProtocolError::Kind::BadMagic, "bad magic: not an SP Studio stream (it starts with " +
                                                               hex_bytes(p, have) + ", expected \"SPSTUDIO\")");
      }
      if (buffered() < kPreambleBytes) return std::nullopt;
      peer_version_ = detail::load_u32(p + sizeof(kMagic));
      if (peer_version_ != kProtocolVersion) {
        throw ProtocolError(ProtocolError::Kind::VersionMismatch,
                            "protocol version " + std::to_string(peer_version_) + ", this side speaks " +
                                std::to_string(kProtocolVersion),
                            peer_version_);
      }
      preamble_done_ = true;
      read_pos_ += kPreambleBytes;
      consumed_ += kPreambleBytes;
      p += kPreambleBytes;
    }
    if (buffered() < kFrameHeaderBytes) return std::nullopt;
    const std::uint32_t length = detail::load_u32(p);
    const std::uint16_t type = detail::load_u16(p + 4);
    if (length > options_.max_frame_bytes) {
      throw ProtocolError(ProtocolError::Kind::FrameTooLarge,
                          "frame of " + std::to_string(length) + " bytes exceeds the " +
                              std::to_string(options_.max_frame_bytes) + "-byte cap (message " + type_name(type) + ")" +
                              at_byte(consumed_));
    }
    if (!detail::is_message_type(type)) {
      throw ProtocolError(ProtocolError::Kind::UnknownType,
                          "unknown message type " + std::to_string(type) + at_byte(consumed_));
    }
    if (buffered() < kFrameHeaderBytes + length) return std::nullopt;
    Message message;
    try {
      message = decode_payload(type, p + kFrameHeaderBytes, length);
    } catch (const ProtocolError& e) {
      throw ProtocolError(e.kind(), e.what() + at_byte(consumed_), e.version());
    }
    read_pos_ += kFrameHeaderBytes + length;
    consumed_ += kFrameHeaderBytes + length;
    return message;
  } catch (const ProtocolError& e) {
    failure_ = e;
    throw;
  }
}

void FrameDecoder::finish() const {
  if (failure_) throw *failure_;
  const std::size_t left = buffered();
  if (left == 0) return;
  const std::uint8_t* p = buffer_.data() + read_pos_;
  if (options_.expect_preamble && !preamble_done_) {
    throw ProtocolError(ProtocolError::Kind::Truncated, "the stream ended inside the preamble (" +
                                                            std::to_string(left) + " of " +
                                                            std::to_string(kPreambleBytes) + " bytes)");
  }
  if (left < kFrameHeaderBytes) {
    throw ProtocolError(ProtocolError::Kind::Truncated,
                        "the stream ended inside the header of the frame that begins at byte " +
                            std::to_string(consumed_) + " (" + std::to_string(left) + " of " +
                            std::to_string(kFrameHeaderBytes) + " header bytes)");
  }
  const std::uint64_t frame = kFrameHeaderBytes + static_cast<std::uint64_t>(detail::load_u32(p));
  if (left >= frame) return;  // complete frames not taken with next() yet: nothing is cut off
  throw ProtocolError(ProtocolError::Kind::Truncated,
                      "the stream ended inside the " + type_name(detail::load_u16(p + 4)) +
                          " frame that begins at byte " + std::to_string(consumed_) + " (" + std::to_string(left) +
                          " of " + std::to_string(frame) + " bytes)");
}

}  // namespace spstudio::wire
