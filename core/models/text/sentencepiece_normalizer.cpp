// SPDX-License-Identifier: Apache-2.0
#include "models/text/sentencepiece_normalizer.h"

#include <stdexcept>

namespace spstudio::models {
namespace {

constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";  // U+2581, "▁"
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool is_trail(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// sentencepiece's IsValidDecodeUTF8: the byte length of the first character, or 0 when it is
// malformed (truncated, overlong, a surrogate or beyond U+10FFFF).
std::size_t valid_char_length(std::string_view s) {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = b(0);
  if (lead < 0x80) return 1;
  auto valid = [](char32_t cp) { return cp < 0xD800 || (cp >= 0xE000 && cp <= 0x10FFFF); };
  if (s.size() >= 2 && (lead & 0xE0) == 0xC0 && is_trail(b(1))) {
    const char32_t cp = ((lead & 0x1Fu) << 6) | (b(1) & 0x3Fu);
    if (cp >= 0x80) return 2;
  } else if (s.size() >= 3 && (lead & 0xF0) == 0xE0 && is_trail(b(1)) && is_trail(b(2))) {
    const char32_t cp = ((lead & 0x0Fu) << 12) | ((b(1) & 0x3Fu) << 6) | (b(2) & 0x3Fu);
    if (cp >= 0x800 && valid(cp)) return 3;
  } else if (s.size() >= 4 && (lead & 0xF8) == 0xF0 && is_trail(b(1)) && is_trail(b(2)) && is_trail(b(3))) {
    const char32_t cp = ((lead & 0x07u) << 18) | ((b(1) & 0x3Fu) << 12) | ((b(2) & 0x3Fu) << 6) | (b(3) & 0x3Fu);
    if (cp >= 0x10000 && valid(cp)) return 4;
  }
  return 0;
}

// darts-clone unit fields.
bool has_leaf(std::uint32_t unit) {
  return ((unit >> 8) & 1) == 1;
}
std::uint32_t value_of(std::uint32_t unit) {
  return unit & ((1u << 31) - 1);
}
std::uint32_t label_of(std::uint32_t unit) {
  return unit & ((1u << 31) | 0xFF);
}
std::uint32_t offset_of(std::uint32_t unit) {
  return (unit >> 10) << ((unit & (1u << 9)) >> 6);
}

}  // namespace

SentencePieceNormalizer::SentencePieceNormalizer(const SentencePieceModel& model)
    : add_dummy_prefix_(model.add_dummy_prefix),
      remove_extra_whitespaces_(model.remove_extra_whitespaces),
      escape_whitespaces_(model.escape_whitespaces),
      treat_whitespace_as_suffix_(model.treat_whitespace_as_suffix) {
  const std::string& blob = model.precompiled_charsmap;
  if (!blob.empty()) {
    // <u32 little-endian trie size in bytes><trie units><normalised strings>
    std::uint32_t trie_bytes = 0;
    if (blob.size() > 4) {
      for (int i = 3; i >= 0; --i)
        trie_bytes = (trie_bytes << 8) | static_cast<unsigned char>(blob[std::size_t(i)]);
    }
    if (blob.size() <= 4 || trie_bytes >= blob.size() - 4 || trie_bytes % 4 != 0 || trie_bytes == 0) {
      throw std::runtime_error("the normalizer's precompiled character map is broken");
    }
    trie_.resize(trie_bytes / 4);
    for (std::size_t u = 0; u < trie_.size(); ++u) {
      std::uint32_t unit = 0;
      for (int i = 3; i >= 0; --i)
        unit = (unit << 8) | static_cast<unsigned char>(blob[4 + 4 * u + std::size_t(i)]);
      trie_[u] = unit;
    }
    outputs_ = blob.substr(4 + trie_bytes);
    if (outputs_.empty() || outputs_.back() != '\0') outputs_ += '\0';  // every string is NUL-terminated
  }
  for (const auto& p : model.pieces) {
    if (p.type == SentencePieceModel::PieceType::kUserDefined) user_defined_.push_back(p.piece);
  }
}

std::size_t SentencePieceNormalizer::user_defined_prefix(std::string_view input) const {
  std::size_t longest = 0;
  for (const std::string& piece : user_defined_) {
    if (piece.size() > longest && input.substr(0, piece.size()) == piece) longest = piece.size();
  }
  return longest;
}

std::pair<std::string_view, std::size_t> SentencePieceNormalizer::normalize_prefix(std::string_view input) const {
  if (const std::size_t n = user_defined_prefix(input); n > 0) return {input.substr(0, n), n};

  // Longest rule: darts-clone's commonPrefixSearch, with every index checked against the array.
  std::size_t longest_length = 0;
  std::uint32_t longest_value = 0;
  if (!trie_.empty()) {
    std::size_t node = offset_of(trie_[0]);
    for (std::size_t i = 0; i < input.size(); ++i) {
      node ^= static_cast<unsigned char>(input[i]);
      if (node >= trie_.size()) break;
      const std::uint32_t unit = trie_[node];
      if (label_of(unit) != static_cast<unsigned char>(input[i])) break;
      node ^= offset_of(unit);
      if (has_leaf(unit)) {
        if (node >= trie_.size()) break;
        longest_length = i + 1;
        longest_value = value_of(trie_[node]);
      }
    }
  }
  if (longest_length > 0) {
    if (longest_value >= outputs_.size()) throw std::runtime_error("the normalizer's character map points outside it");
    return {std::string_view(outputs_.c_str() + longest_value), longest_length};
  }
  const std::size_t length = valid_char_length(input);
  if (length == 0) return {kReplacement, 1};  // malformed UTF-8: one byte becomes U+FFFD
  return {input.substr(0, length), length};
}

std::string SentencePieceNormalizer::normalize(std::string_view input) const {
  std::string out;
  if (remove_extra_whitespaces_) {  // leading whitespace
    while (!input.empty()) {
      const auto [normalized, consumed] = normalize_prefix(input);
      if (normalized != " ") break;
      input.remove_prefix(consumed);
    }
  }
  if (input.empty()) return out;
  const std::string_view space = escape_whitespaces_ ? kSpaceSymbol : std::string_view(" ");
  if (!treat_whitespace_as_suffix_ && add_dummy_prefix_) out += space;

  bool is_prev_space = remove_extra_whitespaces_;
  while (!input.empty()) {
    auto [normalized, consumed] = normalize_prefix(input);
    while (is_prev_space && !normalized.empty() && normalized.front() == ' ')
      normalized.remove_prefix(1);
    if (!normalized.empty()) {
      for (char c : normalized) {
        if (escape_whitespaces_ && c == ' ') {
          out += kSpaceSymbol;
        } else {
          out += c;
        }
      }
      is_prev_space = normalized.back() == ' ';
    }
    input.remove_prefix(consumed);
    if (!remove_extra_whitespaces_) is_prev_space = false;
  }
  if (remove_extra_whitespaces_) {  // trailing whitespace
    while (out.size() >= space.size() && std::string_view(out).substr(out.size() - space.size()) == space) {
      out.resize(out.size() - space.size());
    }
  }
  if (treat_whitespace_as_suffix_ && add_dummy_prefix_) out += space;
  return out;
}

}  // namespace spstudio::models
