// SPDX-License-Identifier: Apache-2.0
// The few Unicode facts the CLIP tokenizer needs (UTF-8 coding, character classes, lower case),
// without pulling in ICU. Classes follow Python's `unicodedata` / `regex` closely enough for
// prompts: letters and case mapping come from glibc's C.UTF-8 locale, numbers and the control /
// whitespace sets from small tables of the Unicode ranges that matter.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace spstudio::models::unicode {

/// Code points of `text`; each invalid or truncated UTF-8 sequence becomes U+FFFD.
std::u32string decode_utf8(std::string_view text);
/// UTF-8 bytes of `text` (code points above U+10FFFF or surrogates become U+FFFD).
std::string encode_utf8(std::u32string_view text);
void append_utf8(std::string& out, char32_t cp);

/// Python's `\s` / `str.split()` whitespace (the Unicode White_Space property).
bool is_whitespace(char32_t cp);
/// Unicode category Zs (space separators): what transformers' BasicTokenizer turns into ' '.
bool is_space_separator(char32_t cp);
/// Unicode categories Cc, Cf, Co, Cs except tab, newline and carriage return (transformers'
/// `_is_control`). Unassigned code points (Cn) are not detected.
bool is_control(char32_t cp);
/// Unicode numbers `\p{N}` (Nd, Nl, No) for the scripts and symbol blocks in the table.
bool is_number(char32_t cp);
/// Unicode letters `\p{L}`: alphabetic in glibc's C.UTF-8, not a combining mark, not a number.
bool is_letter(char32_t cp);
/// CJK ideographs, the blocks transformers' BasicTokenizer surrounds with spaces.
bool is_cjk_ideograph(char32_t cp);

/// Python's `str.lower()` of one whitespace-free word: simple case mapping plus the two special
/// cases Python applies (U+0130 → "i̇", final sigma).
std::u32string to_lower(std::u32string_view word);

}  // namespace spstudio::models::unicode
