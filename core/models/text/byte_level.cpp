// SPDX-License-Identifier: Apache-2.0
#include "models/text/byte_level.h"

#include "models/text/unicode_text.h"

namespace spstudio::models {
namespace {

bool printable(int b) {
  return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

}  // namespace

const std::array<std::string, 256>& byte_level_symbols() {
  static const std::array<std::string, 256> table = [] {
    std::array<std::string, 256> t;
    char32_t next = 256;
    for (int b = 0; b < 256; ++b)
      unicode::append_utf8(t[static_cast<std::size_t>(b)], printable(b) ? char32_t(b) : next++);
    return t;
  }();
  return table;
}

const std::array<unsigned char, 256>& byte_level_vocab_order() {
  static const std::array<unsigned char, 256> order = [] {
    std::array<unsigned char, 256> o{};
    std::size_t n = 0;
    for (int pass = 0; pass < 2; ++pass) {
      for (int b = 0; b < 256; ++b) {
        if (printable(b) == (pass == 0)) o[n++] = static_cast<unsigned char>(b);
      }
    }
    return o;
  }();
  return order;
}

}  // namespace spstudio::models
