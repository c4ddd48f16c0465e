// SPDX-License-Identifier: Apache-2.0
// Framing and encoding of wire messages (DESIGN.md "Wire protocol"):
//   preamble: "SPSTUDIO" (8 bytes) + u32 protocol version           (worker → supervisor, once)
//   frame:    [u32 payload length][u16 message type][payload]         little-endian
// Payload fields are little-endian fixed-width integers and doubles; strings and byte blobs are a
// u32 length + bytes; vectors a u32 count + elements. The decoder checks every length against the
// bytes that remain and the frame cap before allocating, rejects unknown types, short payloads,
// trailing bytes and inconsistent values (tensor bytes ≠ numel·itemsize, RGB size ≠ w·h·3, unknown
// enum values) with a ProtocolError that says what and where — and never crashes (fuzzed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/wire/messages.h"

namespace spstudio::wire {

inline constexpr char kMagic[8] = {'S', 'P', 'S', 'T', 'U', 'D', 'I', 'O'};
inline constexpr std::uint32_t kProtocolVersion = 1;
inline constexpr std::size_t kPreambleBytes = 12;
inline constexpr std::size_t kFrameHeaderBytes = 6;
inline constexpr std::uint32_t kMaxFrameBytes = 64u << 20;  ///< payload cap (64 MiB)

enum class MessageType : std::uint16_t {
  Hello = 1,
  Welcome = 2,
  Reject = 3,
  Ready = 4,
  Job = 10,
  ForwardJob = 11,
  Cancel = 12,
  StepPreview = 20,
  Latent = 21,
  StringDef = 22,
  Ranges = 23,
  StepDone = 24,
  ImageDone = 25,
  JobDone = 26,
  Log = 30,
  Error = 31,
  Heartbeat = 32,
  Bye = 33,
};

MessageType type_of(const Message& message);
/// "StepPreview"; "type 999" for values that are not a MessageType.
std::string type_name(std::uint16_t type);

class ProtocolError : public std::runtime_error {
 public:
  enum class Kind {
    BadMagic,         ///< the peer is not an SP Studio worker / stream
    VersionMismatch,  ///< magic fine, version() says which the peer speaks
    FrameTooLarge,    ///< declared payload length over the cap
    UnknownType,
    Malformed,  ///< payload shorter than its fields, trailing bytes, inconsistent values
    Truncated,  ///< the stream ended inside the preamble or a frame (finish())
  };
  ProtocolError(Kind kind, const std::string& message, std::uint32_t version = 0)
      : std::runtime_error(message), kind_(kind), version_(version) {}
  Kind kind() const { return kind_; }
  std::uint32_t version() const { return version_; }

 private:
  Kind kind_;
  std::uint32_t version_;
};

/// The 12 preamble bytes with `version` (tests send other versions).
std::vector<std::uint8_t> encode_preamble(std::uint32_t version = kProtocolVersion);

/// Header + payload of one frame. Throws std::length_error when the payload would exceed the cap,
/// std::invalid_argument (naming the field) for a value the decoder would refuse (tensor bytes ≠
/// numel·itemsize, RGB size ≠ w·h·3, an enum out of range). append_frame leaves `out` unchanged then.
std::vector<std::uint8_t> encode_frame(const Message& message);
void append_frame(std::vector<std::uint8_t>& out, const Message& message);

/// Decodes one payload of `type` (exactly `size` bytes). Throws ProtocolError (Malformed,
/// UnknownType) naming the message type and the field.
Message decode_payload(std::uint16_t type, const std::uint8_t* data, std::size_t size);

/// Incremental decoder for a byte stream (a socket or a recording). Feed bytes as they arrive and
/// take complete messages with next(). After the first ProtocolError the decoder stays failed and
/// every next() rethrows it: the connection must be closed.
class FrameDecoder {
 public:
  struct Options {
    bool expect_preamble = false;  ///< supervisor side of a connection, and recordings
    std::uint32_t max_frame_bytes = kMaxFrameBytes;
  };
  FrameDecoder();
  explicit FrameDecoder(Options options);

  void feed(const std::uint8_t* data, std::size_t size);
  void feed(const std::vector<std::uint8_t>& bytes) { feed(bytes.data(), bytes.size()); }

  /// The next complete message, or nullopt when more bytes are needed.
  std::optional<Message> next();
  /// Call at end of stream: throws ProtocolError(Truncated) when bytes of an unfinished
  /// preamble or frame are left over, saying at which stream offset the last frame began.
  void finish() const;

  /// The peer's protocol version once the preamble is read (0 before).
  std::uint32_t peer_version() const { return peer_version_; }
  /// Bytes consumed so far (for error messages: "at byte N").
  std::uint64_t offset() const { return consumed_; }
  std::size_t buffered() const { return buffer_.size() - read_pos_; }

 private:
  Options options_;
  std::vector<std::uint8_t> buffer_;
  std::size_t read_pos_ = 0;
  std::uint64_t consumed_ = 0;
  std::uint32_t peer_version_ = 0;
  bool preamble_done_ = false;
  std::optional<ProtocolError> failure_;
};

}  // namespace spstudio::wire
