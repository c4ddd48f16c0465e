// SPDX-License-Identifier: Apache-2.0
// Reading a PNG's chunks byte by byte (signature, length, type, data, CRC), independently of
// libpng, so the tests see exactly which chunk type the writer chose and what bytes it holds.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace spstudio::testing {

struct RawChunk {
  std::string type;  ///< "IHDR", "tEXt", "iTXt", ...
  std::string data;
};

inline std::vector<RawChunk> raw_png_chunks(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 8 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0)
    throw std::runtime_error(path + ": no PNG signature");
  std::vector<RawChunk> chunks;
  std::size_t at = 8;
  while (at + 12 <= bytes.size()) {
    std::uint32_t length = 0;
    for (int i = 0; i < 4; ++i)
      length = (length << 8) | static_cast<unsigned char>(bytes[at + i]);
    if (at + 12 + length > bytes.size()) throw std::runtime_error(path + ": truncated chunk");
    chunks.push_back({bytes.substr(at + 4, 4), bytes.substr(at + 8, length)});
    at += 12 + length;
  }
  return chunks;
}

/// The keyword of a tEXt/zTXt/iTXt chunk's data (up to the first NUL).
inline std::string chunk_keyword(const RawChunk& chunk) {
  return chunk.data.substr(0, chunk.data.find('\0'));
}

/// The text of an uncompressed tEXt (raw Latin-1 bytes) or iTXt (UTF-8) chunk.
inline std::string chunk_text(const RawChunk& chunk) {
  const std::size_t key_end = chunk.data.find('\0');
  if (chunk.type == "tEXt") return chunk.data.substr(key_end + 1);
  if (chunk.type != "iTXt") throw std::runtime_error("not a tEXt or iTXt chunk: " + chunk.type);
  // keyword \0 compression-flag compression-method language \0 translated-keyword \0 text
  if (chunk.data[key_end + 1] != 0) throw std::runtime_error("compressed iTXt");
  const std::size_t language_end = chunk.data.find('\0', key_end + 3);
  const std::size_t translated_end = chunk.data.find('\0', language_end + 1);
  return chunk.data.substr(translated_end + 1);
}

}  // namespace spstudio::testing
