// SPDX-License-Identifier: Apache-2.0
#include "app/png/png_file.h"

#include <png.h>

#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <new>

#include "common/atomic_file.h"

namespace spstudio::png {
namespace {

// libpng reports errors by longjmp. The functions that call into libpng under setjmp hold only
// trivially destructible locals, so the jump skips no destructor; everything with a destructor
// lives in their callers.
struct ErrorSink {
  char message[256] = {};
};

[[noreturn]] void on_png_error(png_structp png, png_const_charp message) {
  auto* sink = static_cast<ErrorSink*>(png_get_error_ptr(png));
  std::snprintf(sink->message, sizeof(sink->message), "%s", message);
  png_longjmp(png, 1);
}
void on_png_warning(png_structp, png_const_charp) {}  // warnings (e.g. a bad CRC in a text chunk) are not fatal

struct MemorySink {
  std::vector<std::uint8_t>* bytes = nullptr;
};
void write_to_memory(png_structp png, png_bytep data, png_size_t length) {
  auto* sink = static_cast<MemorySink*>(png_get_io_ptr(png));
  try {
    sink->bytes->insert(sink->bytes->end(), data, data + length);
  } catch (const std::bad_alloc&) {
    png_error(png, "out of memory");
  }
}
void flush_memory(png_structp) {}

struct MemorySource {
  const std::uint8_t* data = nullptr;
  std::size_t size = 0, position = 0;
};
void read_from_memory(png_structp png, png_bytep out, png_size_t length) {
  auto* source = static_cast<MemorySource*>(png_get_io_ptr(png));
  if (length > source->size - source->position) png_error(png, "the file ends early (truncated)");
  std::memcpy(out, source->data + source->position, length);
  source->position += length;
}

// The largest image we decode: keeps a corrupt header from asking for gigabytes.
constexpr std::uint32_t kMaxDimension = 1u << 15;

bool encode_under_setjmp(png_structp png, png_infop info, const RgbPng& image, png_textp texts, int text_count,
                         png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_IHDR(png, info, image.width, image.height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (text_count > 0) png_set_text(png, info, texts, text_count);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  return true;
}

bool read_header_under_setjmp(png_structp png, png_infop info, std::uint32_t* width, std::uint32_t* height) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_user_limits(png, kMaxDimension, kMaxDimension);
  png_read_info(png, info);
  const int color_type = png_get_color_type(png, info);
  png_set_expand(png);  // palette → RGB, grey < 8 bits → 8 bits, tRNS → alpha
  png_set_strip_16(png);
  png_set_strip_alpha(png);
  if (color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  if (png_get_rowbytes(png, info) != static_cast<png_size_t>(png_get_image_width(png, info)) * 3)
    png_error(png, "unexpected row size after conversion to 8-bit RGB");
  *width = png_get_image_width(png, info);
  *height = png_get_image_height(png, info);
  return true;
}

bool read_pixels_under_setjmp(png_structp png, png_infop end_info, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows);
  png_read_end(png, end_info);
  return true;
}

TextChunkType chunk_type_of(int compression) {
  switch (compression) {
    case PNG_TEXT_COMPRESSION_NONE:
      return TextChunkType::Text;
    case PNG_TEXT_COMPRESSION_zTXt:
      return TextChunkType::CompressedText;
    default:
      return TextChunkType::InternationalText;
  }
}

void append_texts(png_structp png, png_infop info, std::vector<TextChunk>& out) {
  png_textp texts = nullptr;
  int count = 0;
  png_get_text(png, info, &texts, &count);
  for (int i = 0; i < count; ++i) {
    TextChunk chunk;
    chunk.keyword = latin1_to_utf8(texts[i].key);
    chunk.type = chunk_type_of(texts[i].compression);
    const bool international = chunk.type == TextChunkType::InternationalText;
    const std::size_t length = international ? texts[i].itxt_length : texts[i].text_length;
    const std::string raw(texts[i].text == nullptr ? "" : texts[i].text, texts[i].text == nullptr ? 0 : length);
    chunk.text = international ? raw : latin1_to_utf8(raw);
    out.push_back(std::move(chunk));
  }
}

std::string keyword_problem(const std::string& keyword) {
  if (keyword.empty() || keyword.size() > 79) return "must have 1 to 79 characters";
  if (keyword.front() == ' ' || keyword.back() == ' ') return "must not start or end with a space";
  for (unsigned char c : keyword)
    if (c < 32 || c > 126) return "must be printable ASCII";
  return {};
}

}  // namespace

const char* to_string(TextChunkType type) {
  switch (type) {
    case TextChunkType::Text:
      return "tEXt";
    case TextChunkType::CompressedText:
      return "zTXt";
    case TextChunkType::InternationalText:
      return "iTXt";
  }
  return "?";
}

std::optional<std::string> RgbPng::text(const std::string& keyword) const {
  for (const auto& chunk : texts)
    if (chunk.keyword == keyword) return chunk.text;
  return std::nullopt;
}

std::optional<std::string> utf8_to_latin1(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < text.size() &&
               (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) {
      // Two-byte sequences starting C2/C3 encode exactly U+0080..U+00FF.
      out.push_back(static_cast<char>(((c & 0x1F) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3F)));
      ++i;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::string latin1_to_utf8(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

std::vector<std::uint8_t> encode_png(const RgbPng& image, const std::string& origin) {
  if (image.width == 0 || image.height == 0 || image.width > kMaxDimension || image.height > kMaxDimension)
    throw PngError("cannot write " + origin + ": the image size " + std::to_string(image.width) + "x" +
                   std::to_string(image.height) + " is outside 1.." + std::to_string(kMaxDimension));
  const std::size_t row_bytes = static_cast<std::size_t>(image.width) * 3;
  if (image.rgb.size() != row_bytes * image.height)
    throw PngError("cannot write " + origin + ": " + std::to_string(image.rgb.size()) + " pixel bytes for a " +
                   std::to_string(image.width) + "x" + std::to_string(image.height) + " RGB image (needs " +
                   std::to_string(row_bytes * image.height) + ")");

  // Text chunks: Latin-1 → tEXt (or zTXt), anything else and forced iTXt → iTXt with the UTF-8 text.
  std::vector<std::string> keywords, bodies;
  std::vector<png_text> texts(image.texts.size());
  keywords.reserve(image.texts.size());
  bodies.reserve(image.texts.size());
  for (std::size_t i = 0; i < image.texts.size(); ++i) {
    const auto& chunk = image.texts[i];
    if (const auto problem = keyword_problem(chunk.keyword); !problem.empty())
      throw PngError("cannot write " + origin + ": the text chunk keyword \"" + chunk.keyword + "\" " + problem);
    if (chunk.text.find('\0') != std::string::npos)
      throw PngError("cannot write " + origin + ": the text chunk \"" + chunk.keyword + "\" contains a NUL byte");
    const bool compress = chunk.type == TextChunkType::CompressedText;
    const auto latin1 = chunk.type == TextChunkType::InternationalText ? std::nullopt : utf8_to_latin1(chunk.text);
    keywords.push_back(chunk.keyword);
    bodies.push_back(latin1 ? *latin1 : chunk.text);
    png_text& t = texts[i];
    std::memset(&t, 0, sizeof(t));
    if (latin1)
      t.compression = compress ? PNG_TEXT_COMPRESSION_zTXt : PNG_TEXT_COMPRESSION_NONE;
    else
      t.compression = compress ? PNG_ITXT_COMPRESSION_zTXt : PNG_ITXT_COMPRESSION_NONE;
    t.key = keywords.back().data();
    t.text = bodies.back().data();
    if (latin1) {
      t.text_length = bodies.back().size();
    } else {
      t.itxt_length = bodies.back().size();
      t.lang = nullptr;
      t.lang_key = nullptr;
    }
  }
  std::vector<png_bytep> rows(image.height);
  for (std::uint32_t y = 0; y < image.height; ++y)
    rows[y] = const_cast<png_bytep>(image.rgb.data() + static_cast<std::size_t>(y) * row_bytes);

  ErrorSink errors;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &errors, on_png_error, on_png_warning);
  if (png == nullptr) throw PngError("cannot write " + origin + ": libpng could not start");
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    throw PngError("cannot write " + origin + ": libpng could not start");
  }
  std::vector<std::uint8_t> out;
  MemorySink sink{&out};
  png_set_write_fn(png, &sink, write_to_memory, flush_memory);
  const bool ok = encode_under_setjmp(png, info, image, texts.data(), static_cast<int>(texts.size()), rows.data());
  png_destroy_write_struct(&png, &info);
  if (!ok) throw PngError("cannot write " + origin + ": " + errors.message);
  return out;
}

void write_png(const std::string& path, const RgbPng& image) {
  const auto bytes = encode_png(image, path);
  try {
    write_file_atomically(path, bytes);
  } catch (const std::runtime_error& e) {
    throw PngError(e.what());
  }
}

RgbPng decode_png(const std::vector<std::uint8_t>& bytes, const std::string& origin) {
  if (bytes.size() < 8 || png_sig_cmp(bytes.data(), 0, 8) != 0)
    throw PngError("cannot read " + origin + ": not a PNG file (no PNG signature)");
  ErrorSink errors;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &errors, on_png_error, on_png_warning);
  if (png == nullptr) throw PngError("cannot read " + origin + ": libpng could not start");
  png_infop info = png_create_info_struct(png);
  png_infop end_info = png_create_info_struct(png);
  struct Guard {
    png_structp* png;
    png_infop* info;
    png_infop* end;
    ~Guard() { png_destroy_read_struct(png, info, end); }
  } guard{&png, &info, &end_info};
  if (info == nullptr || end_info == nullptr) throw PngError("cannot read " + origin + ": libpng could not start");

  MemorySource source{bytes.data(), bytes.size(), 0};
  png_set_read_fn(png, &source, read_from_memory);
  RgbPng image;
  if (!read_header_under_setjmp(png, info, &image.width, &image.height))
    throw PngError("cannot read " + origin + ": " + errors.message);
  const std::size_t row_bytes = static_cast<std::size_t>(image.width) * 3;
  image.rgb.resize(row_bytes * image.height);
  std::vector<png_bytep> rows(image.height);
  for (std::uint32_t y = 0; y < image.height; ++y)
    rows[y] = image.rgb.data() + static_cast<std::size_t>(y) * row_bytes;
  if (!read_pixels_under_setjmp(png, end_info, rows.data()))
    throw PngError("cannot read " + origin + ": " + errors.message);
  append_texts(png, info, image.texts);
  append_texts(png, end_info, image.texts);
  return image;
}

RgbPng read_png(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw PngError("cannot read " + path + ": " + std::strerror(errno));
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw PngError("cannot read " + path + ": reading failed");
  return decode_png(bytes, path);
}

}  // namespace spstudio::png
