// SPDX-License-Identifier: Apache-2.0
// A minimal protocol-buffers wire-format writer: enough to serialise a sentencepiece ModelProto
// for the builtin tiny T5 tokenizer without depending on libprotobuf.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace spstudio::models {

class ProtoWriter {
 public:
  const std::string& bytes() const { return bytes_; }

  /// int32 / enum fields (wire type 0). Negative values are sign-extended to 64 bits (10 bytes),
  /// as protobuf encodes int32.
  void int32_field(int field, std::int32_t value) {
    tag(field, kVarint);
    varint(static_cast<std::uint64_t>(static_cast<std::int64_t>(value)));
  }
  void bool_field(int field, bool value) {
    tag(field, kVarint);
    varint(value ? 1 : 0);
  }
  /// float fields (wire type 5): IEEE-754 single, little-endian.
  void float_field(int field, float value) {
    tag(field, kFixed32);
    std::uint32_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    for (int shift = 0; shift < 32; shift += 8)
      bytes_ += static_cast<char>((bits >> shift) & 0xFF);
  }
  /// string / bytes / embedded message fields (wire type 2).
  void bytes_field(int field, std::string_view value) {
    tag(field, kLengthDelimited);
    varint(value.size());
    bytes_.append(value.data(), value.size());
  }
  void message_field(int field, const ProtoWriter& message) { bytes_field(field, message.bytes()); }

 private:
  enum WireType { kVarint = 0, kLengthDelimited = 2, kFixed32 = 5 };

  void tag(int field, WireType type) { varint((static_cast<std::uint64_t>(field) << 3) | type); }
  void varint(std::uint64_t value) {
    while (value >= 0x80) {
      bytes_ += static_cast<char>((value & 0x7F) | 0x80);
      value >>= 7;
    }
    bytes_ += static_cast<char>(value);
  }

  std::string bytes_;
};

}  // namespace spstudio::models
