// SPDX-License-Identifier: Apache-2.0
// Test material for the wire codec: one sample of every message with a non-default value in
// every field, a field-by-field comparison written independently of the codec's field lists,
// and a little-endian payload builder for crafting malformed payloads by hand.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/wire/codec.h"

namespace spstudio::wire::testing {

/// One message of every type, in the order of the Message variant's alternatives.
std::vector<Message> sample_messages();

/// "" when `a` and `b` hold the same type with equal fields; otherwise which field differs.
std::string message_difference(const Message& a, const Message& b);

/// The payload of `message` (its frame without the 6 header bytes).
std::vector<std::uint8_t> payload_of(const Message& message);

/// A frame header + `payload`, built by hand (for lengths and types the encoder never writes).
std::vector<std::uint8_t> raw_frame(std::uint32_t length, std::uint16_t type, const std::vector<std::uint8_t>& payload);

/// Little-endian payload bytes, written without the codec.
class PayloadBuilder {
 public:
  PayloadBuilder& u8(std::uint8_t v);
  PayloadBuilder& u16(std::uint16_t v);
  PayloadBuilder& u32(std::uint32_t v);
  PayloadBuilder& u64(std::uint64_t v);
  PayloadBuilder& i64(std::int64_t v) { return u64(static_cast<std::uint64_t>(v)); }
  PayloadBuilder& str(const std::string& s);
  PayloadBuilder& blob(const std::vector<std::uint8_t>& b);
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
};

}  // namespace spstudio::wire::testing
