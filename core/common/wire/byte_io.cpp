// SPDX-License-Identifier: Apache-2.0
#include "common/wire/byte_io.h"

namespace spstudio::wire::detail {

void ByteWriter::u16(std::uint16_t v) {
  out_.push_back(static_cast<std::uint8_t>(v));
  out_.push_back(static_cast<std::uint8_t>(v >> 8));
}

void ByteWriter::u32(std::uint32_t v) {
  for (int shift = 0; shift < 32; shift += 8)
    out_.push_back(static_cast<std::uint8_t>(v >> shift));
}

void ByteWriter::u64(std::uint64_t v) {
  for (int shift = 0; shift < 64; shift += 8)
    out_.push_back(static_cast<std::uint8_t>(v >> shift));
}

void ByteWriter::f64(double v) {
  // The IEEE-754 bits, so every value (NaN payloads, -0.0) survives a round trip exactly.
  std::uint64_t bits = 0;
  static_assert(sizeof(bits) == sizeof(v), "double must be 64-bit IEEE-754");
  std::memcpy(&bits, &v, sizeof(bits));
  u64(bits);
}

void ByteWriter::raw(const std::uint8_t* data, std::size_t size) {
  if (size != 0) out_.insert(out_.end(), data, data + size);
}

void ByteWriter::blob(const std::uint8_t* data, std::size_t size) {
  u32(static_cast<std::uint32_t>(size));
  raw(data, size);
}

std::uint16_t ByteReader::u16() {
  const std::uint16_t v = load_u16(data_ + pos_);
  pos_ += 2;
  return v;
}

std::uint32_t ByteReader::u32() {
  const std::uint32_t v = load_u32(data_ + pos_);
  pos_ += 4;
  return v;
}

std::uint64_t ByteReader::u64() {
  const std::uint64_t v = load_u64(data_ + pos_);
  pos_ += 8;
  return v;
}

double ByteReader::f64() {
  const std::uint64_t bits = u64();
  double v = 0;
  std::memcpy(&v, &bits, sizeof(v));
  return v;
}

const std::uint8_t* ByteReader::take(std::size_t n) {
  const std::uint8_t* p = data_ + pos_;
  pos_ += n;
  return p;
}

}  // namespace spstudio::wire::detail
