// SPDX-License-Identifier: Apache-2.0
// The two walkers over message_fields.h: FieldEncoder writes a payload, FieldDecoder reads one and
// checks every length before allocating and every value before accepting it. Both track the field
// path ("Ranges.records[3].begin_ns") so a problem is reported where it is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "common/wire/byte_io.h"
#include "common/wire/messages.h"

namespace spstudio::wire::detail {

/// A message's enum fields: the readable name of a valid value, nullptr for any other.
template <class E>
struct EnumInfo;
template <>
struct EnumInfo<CancelMode> {
  static constexpr const char* kName = "CancelMode";
  static const char* name(std::uint8_t value);
};
template <>
struct EnumInfo<JobStatus> {
  static constexpr const char* kName = "JobStatus";
  static const char* name(std::uint8_t value);
};
template <>
struct EnumInfo<LogLevel> {
  static constexpr const char* kName = "LogLevel";
  static const char* name(std::uint8_t value);
};
template <>
struct EnumInfo<ExitCode> {
  static constexpr const char* kName = "ExitCode";
  static const char* name(std::uint8_t value);
};
/// "7 is not a value of CancelMode (0 Now, 1 AfterImage, 2 Pending)".
template <class E>
std::string enum_problem(std::uint8_t value) {
  std::string valid;
  for (int v = 0; v < 256; ++v) {
    if (const char* n = EnumInfo<E>::name(static_cast<std::uint8_t>(v))) {
      valid += (valid.empty() ? "" : ", ") + std::to_string(v) + " " + n;
    }
  }
  return std::to_string(value) + " is not a value of " + EnumInfo<E>::kName + " (" + valid + ")";
}

/// Why a tensor is inconsistent (unknown dtype, negative dimension, bytes ≠ numel·itemsize), or "".
/// An empty dtype with no shape and no bytes is "no tensor" (ImageDone of ranks other than 0).
std::string tensor_problem(const TensorData& tensor);
/// Why an image is inconsistent (rgb.size() ≠ width·height·3), or "".
std::string rgb_problem(const RgbImage& image);

/// "Message.field[index].field" without building strings until an error needs one.
class FieldPath {
 public:
  explicit FieldPath(const char* message) : message_(message) { segments_.reserve(4); }
  void push(const char* name) { segments_.push_back({name, 0}); }
  void push_index(std::size_t index) { segments_.push_back({nullptr, index}); }
  void pop() { segments_.pop_back(); }
  std::string str() const;
  const char* message() const { return message_; }

 private:
  struct Segment {
    const char* name;  // nullptr: an index
    std::size_t index;
  };
  const char* message_;
  std::vector<Segment> segments_;
};

class FieldEncoder {
 public:
  FieldEncoder(const char* message, std::vector<std::uint8_t>& out) : path_(message), out_(out) {}

  template <class T>
  void field(const char* name, const T& value) {
    path_.push(name);
    write(value);
    path_.pop();
  }

 private:
  template <class Int>
  std::enable_if_t<std::is_integral_v<Int>> write(Int v) {
    using U = std::make_unsigned_t<Int>;
    const U u = static_cast<U>(v);
    if constexpr (sizeof(Int) == 1) out_.u8(u);
    if constexpr (sizeof(Int) == 2) out_.u16(u);
    if constexpr (sizeof(Int) == 4) out_.u32(u);
    if constexpr (sizeof(Int) == 8) out_.u64(u);
  }
  template <class E>
  std::enable_if_t<std::is_enum_v<E>> write(E v) {
    const auto raw = static_cast<std::uint8_t>(v);
    if (EnumInfo<E>::name(raw) == nullptr) fail(enum_problem<E>(raw));
    out_.u8(raw);
  }
  void write(bool v) { out_.u8(v ? 1 : 0); }
  void write(double v) { out_.f64(v); }
  void write(const std::string& s);
  void write(const std::vector<std::uint8_t>& bytes);
  void write(const std::vector<std::int64_t>& values);
  void write(const std::vector<RangeRecord>& records);
  void write(const TensorData& tensor);
  void write(const RgbImage& image);
  void check_length(std::size_t count, std::size_t element_bytes) const;
  [[noreturn]] void fail(const std::string& problem) const;

  FieldPath path_;
  ByteWriter out_;
};

class FieldDecoder {
 public:
  FieldDecoder(const char* message, const std::uint8_t* data, std::size_t size) : path_(message), in_(data, size) {}

  template <class T>
  void field(const char* name, T& value) {
    path_.push(name);
    read(value);
    path_.pop();
  }
  /// Rejects bytes after the last field.
  void finish() const;

 private:
  template <class Int>
  std::enable_if_t<std::is_integral_v<Int>> read(Int& v) {
    need(sizeof(Int));
    if constexpr (sizeof(Int) == 1) v = static_cast<Int>(in_.u8());
    if constexpr (sizeof(Int) == 2) v = static_cast<Int>(in_.u16());
    if constexpr (sizeof(Int) == 4) v = static_cast<Int>(in_.u32());
    if constexpr (sizeof(Int) == 8) v = static_cast<Int>(in_.u64());
  }
  template <class E>
  std::enable_if_t<std::is_enum_v<E>> read(E& v) {
    need(1);
    const std::uint8_t raw = in_.u8();
    if (EnumInfo<E>::name(raw) == nullptr) fail(enum_problem<E>(raw));
    v = static_cast<E>(raw);
  }
  void read(bool& v);
  void read(double& v);
  void read(std::string& s);
  void read(std::vector<std::uint8_t>& bytes);
  void read(std::vector<std::int64_t>& values);
  void read(std::vector<RangeRecord>& records);
  void read(TensorData& tensor);
  void read(RgbImage& image);
  void need(std::size_t bytes) const;
  /// Reads a u32 length or count and checks that `count` elements of at least `element_bytes`
  /// each fit in what remains, before anything is allocated for them.
  std::uint32_t read_count(std::size_t element_bytes, const char* what);
  [[noreturn]] void fail(const std::string& problem) const;

  FieldPath path_;
  ByteReader in_;
};

}  // namespace spstudio::wire::detail
