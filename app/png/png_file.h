// SPDX-License-Identifier: Apache-2.0
// 8-bit RGB PNG files with text chunks, through libpng. Qt-free: the CLI writes generated images
// with it and the GUI's "recall parameters" reads them back. Text is UTF-8 in memory; a chunk is
// written as tEXt (Latin-1) when its text is Latin-1 representable and as iTXt (UTF-8) otherwise,
// the rule A1111-style readers expect; a chunk can also ask for iTXt always.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace spstudio::png {

/// Thrown for every PNG read or write problem; the message names the file.
class PngError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class TextChunkType { Text, CompressedText, InternationalText };  ///< tEXt, zTXt, iTXt
const char* to_string(TextChunkType type);                             ///< "tEXt", "zTXt", "iTXt"

struct TextChunk {
  std::string keyword;  ///< 1–79 Latin-1 printable characters
  std::string text;     ///< UTF-8
  /// Read: the chunk's type. Write: Text = tEXt, or iTXt when the text is not Latin-1;
  /// CompressedText = zTXt, or compressed iTXt when not Latin-1; InternationalText = iTXt always.
  TextChunkType type = TextChunkType::Text;
};

struct RgbPng {
  std::uint32_t width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  ///< rows top to bottom, 3 bytes per pixel
  std::vector<TextChunk> texts;   ///< in file order

  /// The text of the first chunk named `keyword`, if any.
  std::optional<std::string> text(const std::string& keyword) const;
};

/// The Latin-1 bytes of UTF-8 `text`, or nullopt when it has a character above U+00FF (or is not
/// valid UTF-8).
std::optional<std::string> utf8_to_latin1(const std::string& text);
std::string latin1_to_utf8(const std::string& text);

/// The PNG file bytes of `image` (texts before the image data). Throws PngError (naming `origin`)
/// on a size/pixel-count mismatch, an invalid keyword or a libpng failure.
std::vector<std::uint8_t> encode_png(const RgbPng& image, const std::string& origin = "the image");

/// Writes `image` to `path` atomically: a temporary file in the same folder, renamed over `path`.
void write_png(const std::string& path, const RgbPng& image);

/// Decodes any PNG (palette, grey, 16-bit and alpha are converted to 8-bit RGB; alpha dropped) and
/// every text chunk before and after the image data. Throws PngError naming `origin`.
RgbPng decode_png(const std::vector<std::uint8_t>& bytes, const std::string& origin);
RgbPng read_png(const std::string& path);

}  // namespace spstudio::png
