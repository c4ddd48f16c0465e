// SPDX-License-Identifier: Apache-2.0
#include "models/text/clip_tokenizer.h"

#include <algorithm>
#include <limits>
#include <mutex>
#include <stdexcept>

#include "models/text/byte_level.h"
#include "models/text/clip_tokenizer_files.h"
#include "models/text/unicode_text.h"

namespace spstudio::models {
namespace {

namespace uc = unicode;

constexpr const char* kEndOfWord = "</w>";
// The pattern's literal alternatives: matched (case-insensitively) before the character classes.
constexpr std::u32string_view kPatternSpecials[] = {U"<|startoftext|>", U"<|endoftext|>"};
constexpr std::u32string_view kContractions[] = {U"'s", U"'t", U"'re", U"'ve", U"'m", U"'ll", U"'d"};
// Bound on the word → tokens cache of a long-running worker (transformers' cache is unbounded).
constexpr std::size_t kMaxCachedWords = 1 << 16;

char32_t ascii_lower(char32_t c) {
  return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

bool starts_with_ignore_case(std::u32string_view text, std::size_t at, std::u32string_view prefix) {
  if (text.size() - at < prefix.size()) return false;
  for (std::size_t k = 0; k < prefix.size(); ++k) {
    if (ascii_lower(text[at + k]) != prefix[k]) return false;
  }
  return true;
}

// transformers' BasicTokenizer(strip_accents=False, do_split_on_punc=False) on one chunk of the
// prompt: the lower-cased, whitespace-separated words.
std::vector<std::u32string> basic_tokenize(std::u32string_view text) {
  std::u32string cleaned;
  cleaned.reserve(text.size());
  for (char32_t cp : text) {
    if (cp == 0 || cp == 0xFFFD || uc::is_control(cp)) continue;
    if (uc::is_space_separator(cp) || cp == '\t' || cp == '\n' || cp == '\r') {
      cleaned += U' ';
    } else if (uc::is_cjk_ideograph(cp)) {
      cleaned += U' ';  // each ideograph is its own word
      cleaned += cp;
      cleaned += U' ';
    } else {
      cleaned += cp;
    }
  }
  std::vector<std::u32string> words;
  std::size_t i = 0;
  while (i < cleaned.size()) {
    while (i < cleaned.size() && uc::is_whitespace(cleaned[i]))
      ++i;
    std::size_t end = i;
    while (end < cleaned.size() && !uc::is_whitespace(cleaned[end]))
      ++end;
    if (end > i) words.push_back(uc::to_lower(std::u32string_view(cleaned).substr(i, end - i)));
    i = end;
  }
  return words;
}

// CLIP's regex over one word (no whitespace inside):
//   <|startoftext|>|<|endoftext|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
// Alternatives are tried only where a match starts, so a run of other characters swallows an
// apostrophe or a '<' that follows it, as the regex does.
std::vector<std::u32string> split_pieces(std::u32string_view word) {
  std::vector<std::u32string> pieces;
  std::size_t i = 0;
  auto literal_at = [&](std::size_t at) -> std::size_t {
    for (auto special : kPatternSpecials) {
      if (starts_with_ignore_case(word, at, special)) return special.size();
    }
    for (auto contraction : kContractions) {
      if (starts_with_ignore_case(word, at, contraction)) return contraction.size();
    }
    return 0;
  };
  while (i < word.size()) {
    const char32_t c = word[i];
    std::size_t end = i + 1;
    if (const std::size_t literal = literal_at(i); literal > 0) {
      end = i + literal;
    } else if (uc::is_letter(c)) {
      while (end < word.size() && uc::is_letter(word[end]))
        ++end;
    } else if (uc::is_number(c)) {
      // one number per piece
    } else if (uc::is_whitespace(c)) {
      ++i;
      continue;
    } else {
      while (end < word.size() && !uc::is_letter(word[end]) && !uc::is_number(word[end]) &&
             !uc::is_whitespace(word[end])) {
        ++end;
      }
    }
    pieces.emplace_back(word.substr(i, end - i));
    i = end;
  }
  return pieces;
}

}  // namespace

struct CLIPTokenizer::BpeCache {
  std::mutex mutex;
  std::unordered_map<std::string, std::vector<std::string>> words;
};

CLIPTokenizer CLIPTokenizer::from_folder(const std::filesystem::path& folder) {
  CLIPTokenizerFiles files = read_clip_tokenizer_files(folder);
  try {
    return CLIPTokenizer(std::move(files.vocab), std::move(files.merges), std::move(files.special_tokens),
                         std::move(files.added_tokens), files.model_max_length);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("CLIP tokenizer in " + folder.string() + ": " + e.what());
  }
}

CLIPTokenizer::CLIPTokenizer(std::unordered_map<std::string, std::int64_t> vocab,
                             std::vector<std::pair<std::string, std::string>> merges, CLIPSpecialTokens special_tokens,
                             std::unordered_map<std::string, std::int64_t> added_tokens, std::int64_t model_max_length)
    : vocab_(std::move(vocab)),
      added_tokens_(std::move(added_tokens)),
      special_(std::move(special_tokens)),
      model_max_length_(model_max_length),
      cache_(std::make_shared<BpeCache>()) {
  merge_ranks_.reserve(merges.size());
  for (std::size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [first, second] = merges[rank];
    if (vocab_.count(first + second) == 0) {
      throw std::invalid_argument("merge " + std::to_string(rank) + " \"" + first + " " + second + "\" makes \"" +
                                  first + second + "\", which is not in the vocabulary");
    }
    // A duplicated pair takes its last rank, as Python's dict(zip(merges, ranks)) does.
    merge_ranks_.insert_or_assign(first + " " + second, static_cast<int>(rank));
  }
  const std::pair<const char*, const std::string*> specials[] = {{"bos_token", &special_.bos_token},
                                                                 {"eos_token", &special_.eos_token},
                                                                 {"pad_token", &special_.pad_token},
                                                                 {"unk_token", &special_.unk_token}};
  std::int64_t* ids[] = {&bos_id_, &eos_id_, &pad_id_, &unk_id_};
  for (std::size_t k = 0; k < 4; ++k) {
    const std::string& token = *specials[k].second;
    auto added = added_tokens_.find(token);
    auto in_vocab = vocab_.find(token);
    if (added == added_tokens_.end() && in_vocab == vocab_.end()) {
      throw std::invalid_argument(std::string("special token \"") + token + "\" (" + specials[k].first +
                                  ") is in neither vocab.json nor the added tokens");
    }
    *ids[k] = added != added_tokens_.end() ? added->second : in_vocab->second;
    split_tokens_.push_back(token);
  }
  for (const auto& [token, id] : added_tokens_)
    split_tokens_.push_back(token);
  std::sort(split_tokens_.begin(), split_tokens_.end(), [](const std::string& a, const std::string& b) {
    return a.size() > b.size() || (a.size() == b.size() && a < b);
  });
  split_tokens_.erase(std::unique(split_tokens_.begin(), split_tokens_.end()), split_tokens_.end());
}

std::int64_t CLIPTokenizer::id_of(const std::string& token) const {
  if (auto it = added_tokens_.find(token); it != added_tokens_.end()) return it->second;
  if (auto it = vocab_.find(token); it != vocab_.end()) return it->second;
  return unk_id_;
}

void CLIPTokenizer::bpe(const std::string& piece, std::vector<std::string>& out) const {
  for (auto special : kPatternSpecials) {
    if (piece == uc::encode_utf8(special)) {  // seeded in transformers' cache: never split
      out.push_back(piece);
      return;
    }
  }
  {
    std::lock_guard<std::mutex> lock(cache_->mutex);
    if (auto it = cache_->words.find(piece); it != cache_->words.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<std::string> word;
  const auto& symbols = byte_level_symbols();
  for (unsigned char byte : piece)
    word.push_back(symbols[byte]);
  if (word.empty()) return;
  word.back() += kEndOfWord;

  auto rank_of = [&](std::size_t i) {
    auto it = merge_ranks_.find(word[i] + " " + word[i + 1]);
    return it == merge_ranks_.end() ? std::numeric_limits<int>::max() : it->second;
  };
  while (word.size() > 1) {
    // The adjacent pair with the lowest rank is merged everywhere it occurs, left to right.
    int best = std::numeric_limits<int>::max();
    std::size_t best_at = 0;
    for (std::size_t i = 0; i + 1 < word.size(); ++i) {
      if (const int rank = rank_of(i); rank < best) best = rank, best_at = i;
    }
    if (best == std::numeric_limits<int>::max()) break;
    const std::string first = word[best_at], second = word[best_at + 1];
    std::vector<std::string> merged;
    merged.reserve(word.size());
    for (std::size_t i = 0; i < word.size(); ++i) {
      if (i + 1 < word.size() && word[i] == first && word[i + 1] == second) {
        merged.push_back(first + second);
        ++i;
      } else {
        merged.push_back(word[i]);
      }
    }
    word = std::move(merged);
  }
  out.insert(out.end(), word.begin(), word.end());
  std::lock_guard<std::mutex> lock(cache_->mutex);
  if (cache_->words.size() >= kMaxCachedWords) cache_->words.clear();
  cache_->words.emplace(piece, std::move(word));
}

std::vector<std::string> CLIPTokenizer::tokenize(std::string_view text) const {
  std::vector<std::string> tokens;
  auto tokenize_chunk = [&](std::string_view chunk) {
    for (const std::u32string& word : basic_tokenize(uc::decode_utf8(chunk))) {
      for (const std::u32string& piece : split_pieces(word))
        bpe(uc::encode_utf8(piece), tokens);
    }
  };
  // Special tokens written in the prompt are split out first, case-sensitively (transformers'
  // added-token trie: earliest match, longest first).
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t best_at = std::string_view::npos;
    const std::string* best = nullptr;
    for (const std::string& special : split_tokens_) {
      const std::size_t at = text.find(special, start);
      if (at != std::string_view::npos && (best == nullptr || at < best_at)) best_at = at, best = &special;
    }
    if (best == nullptr) {
      tokenize_chunk(text.substr(start));
      break;
    }
    tokenize_chunk(text.substr(start, best_at - start));
    tokens.push_back(*best);
    start = best_at + best->size();
  }
  return tokens;
}

std::vector<std::int64_t> CLIPTokenizer::token_ids(std::string_view text) const {
  std::vector<std::int64_t> ids;
  for (const std::string& token : tokenize(text))
    ids.push_back(id_of(token));
  return ids;
}

std::vector<std::int64_t> CLIPTokenizer::encode(std::string_view text, std::int64_t max_length) const {
  if (max_length < 2) {
    throw std::invalid_argument("CLIP tokenizer: max_length must be at least 2 (bos and eos), got " +
                                std::to_string(max_length));
  }
  std::vector<std::int64_t> content = token_ids(text);
  const auto keep = std::min<std::size_t>(content.size(), static_cast<std::size_t>(max_length - 2));
  std::vector<std::int64_t> ids;
  ids.reserve(static_cast<std::size_t>(max_length));
  ids.push_back(bos_id_);
  ids.insert(ids.end(), content.begin(), content.begin() + static_cast<std::ptrdiff_t>(keep));
  ids.push_back(eos_id_);
  ids.resize(static_cast<std::size_t>(max_length), pad_id_);
  return ids;
}

}  // namespace spstudio::models
