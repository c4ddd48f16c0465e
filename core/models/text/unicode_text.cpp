// SPDX-License-Identifier: Apache-2.0
#include "models/text/unicode_text.h"

#include <locale.h>
#include <wctype.h>

#include <algorithm>
#include <iterator>
#include <utility>

namespace spstudio::models::unicode {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

struct Range {
  char32_t first, last;
};

template <std::size_t N>
bool in_ranges(const Range (&ranges)[N], char32_t cp) {
  // Sorted, disjoint ranges: binary search for the last range starting at or before cp.
  const Range* it = std::upper_bound(std::begin(ranges), std::end(ranges), cp,
                                     [](char32_t c, const Range& r) { return c < r.first; });
  return it != std::begin(ranges) && cp <= std::prev(it)->last;
}

// \p{N} beyond ASCII: the decimal digits of the major scripts, super/subscripts, fractions,
// roman numerals, enclosed numbers and full-width digits. glibc calls most of these alphabetic,
// which would glue them to letters instead of splitting them one by one as CLIP does.
constexpr Range kNumbers[] = {
    {0x30, 0x39},     {0xB2, 0xB3},     {0xB9, 0xB9},       {0xBC, 0xBE},       {0x660, 0x669},     {0x6F0, 0x6F9},
    {0x7C0, 0x7C9},   {0x966, 0x96F},   {0x9E6, 0x9EF},     {0xA66, 0xA6F},     {0xAE6, 0xAEF},     {0xB66, 0xB6F},
    {0xBE6, 0xBF2},   {0xC66, 0xC6F},   {0xCE6, 0xCEF},     {0xD66, 0xD78},     {0xE50, 0xE59},     {0xED0, 0xED9},
    {0xF20, 0xF33},   {0x1040, 0x1049}, {0x1090, 0x1099},   {0x17E0, 0x17E9},   {0x1810, 0x1819},   {0x1946, 0x194F},
    {0x19D0, 0x19DA}, {0x2070, 0x2070}, {0x2074, 0x2079},   {0x2080, 0x2089},   {0x2150, 0x2182},   {0x2185, 0x2189},
    {0x2460, 0x249B}, {0x24EA, 0x24FF}, {0x2776, 0x2793},   {0x3007, 0x3007},   {0x3021, 0x3029},   {0x3038, 0x303A},
    {0x3192, 0x3195}, {0x3220, 0x3229}, {0x3248, 0x324F},   {0x3251, 0x325F},   {0x3280, 0x3289},   {0x32B1, 0x32BF},
    {0xA620, 0xA629}, {0xFF10, 0xFF19}, {0x10107, 0x10133}, {0x1D7CE, 0x1D7FF}, {0x1F100, 0x1F10C}, {0x1FBF0, 0x1FBF9},
};

// Cf (format) characters; together with Cc, Co and Cs they are what BasicTokenizer drops.
constexpr Range kFormat[] = {
    {0xAD, 0xAD},       {0x600, 0x605},     {0x61C, 0x61C},     {0x6DD, 0x6DD},     {0x70F, 0x70F},
    {0x890, 0x891},     {0x8E2, 0x8E2},     {0x180E, 0x180E},   {0x200B, 0x200F},   {0x202A, 0x202E},
    {0x2060, 0x2064},   {0x2066, 0x206F},   {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD},
    {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
};

constexpr Range kCjk[] = {
    {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xF900, 0xFAFF},   {0x20000, 0x2A6DF},
    {0x2A700, 0x2B73F}, {0x2B740, 0x2B81F}, {0x2B820, 0x2CEAF}, {0x2F800, 0x2FA1F},
};

// glibc's C.UTF-8 has the full Unicode letter and case tables (builtin since glibc 2.35). The
// process locale is left alone: the tokenizer must not depend on what the application set.
locale_t utf8_locale() {
  static const locale_t locale = [] {
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    if (l == static_cast<locale_t>(nullptr)) l = newlocale(LC_CTYPE_MASK, "C.utf8", static_cast<locale_t>(nullptr));
    return l;
  }();
  return locale;
}

bool glibc_alpha(char32_t cp) {
  const locale_t l = utf8_locale();
  if (l != static_cast<locale_t>(nullptr)) return iswalpha_l(static_cast<wint_t>(cp), l) != 0;
  // Without the locale: ASCII letters, and everything above Latin-1 punctuation that is not an
  // obvious symbol or emoji block. Good enough to keep words together.
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  if (cp < 0xC0) return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
  if (cp == 0xD7 || cp == 0xF7) return false;
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;
  if (cp >= 0x3000 && cp <= 0x303F) return false;
  if (cp >= 0x1F000 && cp <= 0x1FAFF) return false;
  return true;
}

// Combining marks (Mn, Mc, Me) are not letters for Python's \p{L}, but glibc calls many of them
// alphabetic (Indic vowel signs, Arabic harakat, Thai vowels); its "combining" class finds them.
bool glibc_combining(char32_t cp) {
  const locale_t l = utf8_locale();
  if (l == static_cast<locale_t>(nullptr)) return cp >= 0x300 && cp <= 0x36F;
  static const wctype_t combining = wctype_l("combining", l);
  return combining != 0 && iswctype_l(static_cast<wint_t>(cp), combining, l) != 0;
}

char32_t simple_lower(char32_t cp) {
  const locale_t l = utf8_locale();
  if (l != static_cast<locale_t>(nullptr)) return static_cast<char32_t>(towlower_l(static_cast<wint_t>(cp), l));
  return (cp >= 'A' && cp <= 'Z') ? cp + ('a' - 'A') : cp;
}

// Python's \p{Cased}: Lowercase or Uppercase (glibc's lower/upper classes follow those
// properties, including modifier letters such as ʰ) or titlecase.
bool is_cased(char32_t cp) {
  const locale_t l = utf8_locale();
  if (l == static_cast<locale_t>(nullptr)) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  const auto c = static_cast<wint_t>(cp);
  return iswlower_l(c, l) != 0 || iswupper_l(c, l) != 0 || towlower_l(c, l) != c;
}

// Python's \p{Case_Ignorable}: marks, format characters, modifier letters and symbols, and the
// apostrophes, periods and colons that may sit inside a word.
constexpr Range kCaseIgnorable[] = {
    {0x27, 0x27},     {0x2E, 0x2E},     {0x3A, 0x3A},     {0x5E, 0x5E},     {0x60, 0x60},     {0xA8, 0xA8},
    {0xAF, 0xAF},     {0xB4, 0xB4},     {0xB7, 0xB8},     {0x2B0, 0x2FF},   {0x374, 0x375},   {0x37A, 0x37A},
    {0x384, 0x385},   {0x387, 0x387},   {0x1D2C, 0x1D6A}, {0x1D78, 0x1D78}, {0x1D9B, 0x1DBF}, {0x1FBD, 0x1FBD},
    {0x1FBF, 0x1FC1}, {0x1FCD, 0x1FCF}, {0x1FDD, 0x1FDF}, {0x1FED, 0x1FEF}, {0x1FFD, 0x1FFE}, {0x2018, 0x2019},
    {0x2024, 0x2024}, {0x2027, 0x2027}, {0x2071, 0x2071}, {0x207F, 0x207F}, {0x2090, 0x209C}, {0x2C7C, 0x2C7D},
    {0x3005, 0x3005}, {0x309B, 0x309E}, {0x30FC, 0x30FE}, {0xA015, 0xA015}, {0xA69C, 0xA69D}, {0xA717, 0xA721},
    {0xA770, 0xA770}, {0xA788, 0xA78A}, {0xFE13, 0xFE13}, {0xFE52, 0xFE52}, {0xFE55, 0xFE55}, {0xFF07, 0xFF07},
    {0xFF0E, 0xFF0E}, {0xFF1A, 0xFF1A}, {0xFF3E, 0xFF3E}, {0xFF40, 0xFF40}, {0xFF70, 0xFF70}, {0xFF9E, 0xFF9F},
    {0xFFE3, 0xFFE3},
};

bool is_case_ignorable(char32_t cp) {
  return glibc_combining(cp) || in_ranges(kFormat, cp) || in_ranges(kCaseIgnorable, cp);
}

// Python's Final_Sigma: Σ lowers to ς after a cased letter (case-ignorable characters skipped)
// unless a cased letter follows (again skipping case-ignorable ones).
bool is_final_sigma(std::u32string_view word, std::size_t at) {
  std::size_t before = at;
  while (before > 0 && is_case_ignorable(word[before - 1]))
    --before;
  if (before == 0 || !is_cased(word[before - 1])) return false;
  std::size_t after = at + 1;
  while (after < word.size() && is_case_ignorable(word[after]))
    ++after;
  return after == word.size() || !is_cased(word[after]);
}

}  // namespace

void append_utf8(std::string& out, char32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = kReplacement;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string encode_utf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t cp : text)
    append_utf8(out, cp);
  return out;
}

std::u32string decode_utf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    int length = 0;
    char32_t cp = 0;
    char32_t min_cp = 0;
    if (lead < 0x80) {
      out += lead;
      ++i;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2, cp = lead & 0x1F, min_cp = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, cp = lead & 0x0F, min_cp = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, cp = lead & 0x07, min_cp = 0x10000;
    } else {
      out += kReplacement;  // stray continuation byte or invalid lead byte
      ++i;
      continue;
    }
    int taken = 1;
    for (; taken < length && i + taken < text.size(); ++taken) {
      const auto next = static_cast<unsigned char>(text[i + taken]);
      if ((next & 0xC0) != 0x80) break;
      cp = (cp << 6) | (next & 0x3F);
    }
    const bool valid =
        taken == length && cp >= min_cp && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);  // no overlongs
    out += valid ? cp : kReplacement;
    i += taken;
  }
  return out;
}

bool is_whitespace(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

bool is_space_separator(char32_t cp) {
  return cp == 0x20 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

bool is_control(char32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return true;  // Cc
  if (cp >= 0xD800 && cp <= 0xDFFF) return true;             // Cs
  if ((cp >= 0xE000 && cp <= 0xF8FF) || (cp >= 0xF0000 && cp <= 0xFFFFD) || (cp >= 0x100000 && cp <= 0x10FFFD)) {
    return true;  // Co
  }
  return in_ranges(kFormat, cp);
}

bool is_number(char32_t cp) {
  return in_ranges(kNumbers, cp);
}

bool is_letter(char32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  return !is_number(cp) && glibc_alpha(cp) && !glibc_combining(cp);
}

bool is_cjk_ideograph(char32_t cp) {
  return in_ranges(kCjk, cp);
}

std::u32string to_lower(std::u32string_view word) {
  constexpr char32_t kCapitalSigma = 0x3A3, kFinalSigma = 0x3C2;
  std::u32string out;
  out.reserve(word.size());
  for (std::size_t i = 0; i < word.size(); ++i) {
    const char32_t cp = word[i];
    if (cp == 0x130) {  // İ: Python keeps the dot as a combining character
      out += U'i';
      out += char32_t{0x307};
    } else if (cp == kCapitalSigma && is_final_sigma(word, i)) {
      out += kFinalSigma;
    } else {
      out += simple_lower(cp);
    }
  }
  return out;
}

}  // namespace spstudio::models::unicode
