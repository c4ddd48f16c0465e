// SPDX-License-Identifier: Apache-2.0
// Little-endian primitives of the wire format (codec.h), independent of the host's byte order.
// ByteWriter appends to a buffer; ByteReader walks a payload and only hands out bytes that are
// there (callers check remaining() and report what was missing themselves).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace spstudio::wire::detail {

inline std::uint16_t load_u16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
inline std::uint32_t load_u32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
inline std::uint64_t load_u64(const std::uint8_t* p) {
  return static_cast<std::uint64_t>(load_u32(p)) | (static_cast<std::uint64_t>(load_u32(p + 4)) << 32);
}

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<std::uint8_t>& out) : out_(out) {}

  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v);
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void f64(double v);
  void raw(const std::uint8_t* data, std::size_t size);
  /// u32 length + bytes; the caller has checked that the length fits.
  void blob(const std::uint8_t* data, std::size_t size);
  void string(const std::string& s) { blob(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); }

 private:
  std::vector<std::uint8_t>& out_;
};

class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  std::size_t size() const { return size_; }
  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return size_ - pos_; }

  // Each of these requires remaining() >= its width (checked by the caller).
  std::uint8_t u8() { return data_[pos_++]; }
  std::uint16_t u16();
  std::uint32_t u32();
  std::uint64_t u64();
  double f64();
  /// The next `n` bytes (n <= remaining()), consumed.
  const std::uint8_t* take(std::size_t n);

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

}  // namespace spstudio::wire::detail
