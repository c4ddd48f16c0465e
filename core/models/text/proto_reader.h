// SPDX-License-Identifier: Apache-2.0
// A minimal protocol-buffers wire-format reader: enough to parse a sentencepiece ModelProto
// without libprotobuf. Malformed input throws std::runtime_error; nothing reads out of bounds.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

namespace spstudio::models {

class ProtoReader {
 public:
  enum WireType { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

  explicit ProtoReader(std::string_view bytes) : data_(bytes) {}

  /// Reads the next field's tag; false at the end of the message.
  bool next() {
    if (pos_ >= data_.size()) return false;
    const std::uint64_t tag = varint();
    field_ = static_cast<int>(tag >> 3);
    wire_type_ = static_cast<int>(tag & 7);
    if (field_ == 0) fail("field number 0");
    if (wire_type_ != kVarint && wire_type_ != kFixed64 && wire_type_ != kLengthDelimited && wire_type_ != kFixed32) {
      fail("unsupported wire type " + std::to_string(wire_type_));
    }
    return true;
  }
  int field() const { return field_; }
  int wire_type() const { return wire_type_; }

  std::uint64_t read_varint() {
    expect(kVarint);
    return varint();
  }
  /// int32 fields are sign-extended varints.
  std::int32_t read_int32() { return static_cast<std::int32_t>(static_cast<std::int64_t>(read_varint())); }
  bool read_bool() { return read_varint() != 0; }
  float read_float() {
    expect(kFixed32);
    const std::string_view raw = take(4);
    std::uint32_t bits = 0;
    for (int i = 3; i >= 0; --i)
      bits = (bits << 8) | static_cast<unsigned char>(raw[static_cast<std::size_t>(i)]);
    float value = 0;
    std::memcpy(&value, &bits, sizeof value);
    return value;
  }
  /// string, bytes and embedded messages.
  std::string_view read_bytes() {
    expect(kLengthDelimited);
    return take(static_cast<std::size_t>(length()));
  }
  /// Skips the current field's value (fields this reader does not know).
  void skip() {
    switch (wire_type_) {
      case kVarint:
        varint();
        break;
      case kFixed64:
        take(8);
        break;
      case kLengthDelimited:
        take(static_cast<std::size_t>(length()));
        break;
      default:
        take(4);
        break;
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("malformed protobuf (" + what + " at byte " + std::to_string(pos_) + ")");
  }
  void expect(WireType type) const {
    if (wire_type_ != type) {
      fail("field " + std::to_string(field_) + " has wire type " + std::to_string(wire_type_) + ", expected " +
           std::to_string(type));
    }
  }
  std::uint64_t varint() {
    std::uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) fail("truncated varint");
      const auto byte = static_cast<unsigned char>(data_[pos_++]);
      value |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    fail("varint longer than 10 bytes");
  }
  std::uint64_t length() {
    const std::uint64_t n = varint();
    if (n > data_.size() - pos_) fail("length " + std::to_string(n) + " past the end");
    return n;
  }
  std::string_view take(std::size_t n) {
    if (n > data_.size() - pos_) fail("truncated field");
    const std::string_view out = data_.substr(pos_, n);
    pos_ += n;
    return out;
  }

  std::string_view data_;
  std::size_t pos_ = 0;
  int field_ = 0, wire_type_ = 0;
};

}  // namespace spstudio::models
