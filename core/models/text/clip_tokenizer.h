// SPDX-License-Identifier: Apache-2.0
// CLIP's byte-level BPE tokenizer, as transformers' CLIPTokenizer (the slow one, without ftfy,
// which is what diffusers' Flux pipeline runs when ftfy is not installed):
//   1. special tokens written in the prompt (`<|startoftext|>`, `<|endoftext|>`) are split out;
//   2. BasicTokenizer: control characters dropped, whitespace collapsed and stripped, spaces around
//      CJK ideographs, words lower-cased (no accent stripping, no punctuation splitting);
//   3. CLIP's pattern: 's 't 're 've 'm 'll 'd | letter runs | single numbers | runs of other
//      non-space characters;
//   4. each piece's UTF-8 bytes mapped to printable symbols (GPT-2's bytes→unicode), `</w>` on the
//      last one, then merged by merges.txt rank; unknown symbols become the unk token.
// Not reproduced: Unicode NFC composition (prompts typed in NFC are unaffected) and code points
// unassigned in Unicode (Python drops them as controls).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace spstudio::models {

/// The special tokens' strings (transformers' defaults for CLIP: pad and unk are the eos string).
struct CLIPSpecialTokens {
  std::string bos_token = "<|startoftext|>";
  std::string eos_token = "<|endoftext|>";
  std::string pad_token = "<|endoftext|>";
  std::string unk_token = "<|endoftext|>";
};

class CLIPTokenizer {
 public:
  /// transformers reads at most this many merges (CLIP's 49152 tokens minus bytes and specials).
  static constexpr std::size_t kMaxMerges = 49152 - 256 - 2;

  /// Reads a diffusers `tokenizer/` folder: vocab.json (token → id), merges.txt ("#version"
  /// line, then one "a b" pair per line in rank order) and, when present, tokenizer_config.json
  /// and special_tokens_map.json (special token strings, added tokens, model_max_length).
  /// Throws std::runtime_error naming the file for anything malformed.
  static CLIPTokenizer from_folder(const std::filesystem::path& folder);

  /// `added_tokens`: token → id for tokens outside vocab (tokenizer_config's added_tokens_decoder).
  /// Throws std::invalid_argument when a merge makes a token missing from the vocab or a special
  /// token has no id.
  CLIPTokenizer(std::unordered_map<std::string, std::int64_t> vocab,
                std::vector<std::pair<std::string, std::string>> merges, CLIPSpecialTokens special_tokens = {},
                std::unordered_map<std::string, std::int64_t> added_tokens = {}, std::int64_t model_max_length = 77);

  /// bos, the prompt's ids truncated to max_length - 2, eos, then pad up to max_length (what Flux
  /// passes with padding="max_length", truncation=True). Throws std::invalid_argument when
  /// max_length < 2.
  std::vector<std::int64_t> encode(std::string_view text, std::int64_t max_length = 77) const;
  /// The prompt's ids without bos/eos/padding and without truncation (to count tokens).
  std::vector<std::int64_t> token_ids(std::string_view text) const;
  /// The prompt's tokens as strings (`photo</w>`, byte symbols for unknown text).
  std::vector<std::string> tokenize(std::string_view text) const;

  std::int64_t bos_token_id() const { return bos_id_; }
  std::int64_t eos_token_id() const { return eos_id_; }
  std::int64_t pad_token_id() const { return pad_id_; }
  std::int64_t unk_token_id() const { return unk_id_; }
  std::int64_t vocab_size() const { return static_cast<std::int64_t>(vocab_.size()); }
  std::int64_t model_max_length() const { return model_max_length_; }
  const CLIPSpecialTokens& special_tokens() const { return special_; }

 private:
  struct BpeCache;

  /// Appends the tokens of one piece (already lower-cased, no specials) to `out`.
  void bpe(const std::string& piece, std::vector<std::string>& out) const;
  std::int64_t id_of(const std::string& token) const;

  std::unordered_map<std::string, std::int64_t> vocab_;
  std::unordered_map<std::string, std::int64_t> added_tokens_;
  std::unordered_map<std::string, int> merge_ranks_;  ///< "a b" → rank
  CLIPSpecialTokens special_;
  std::vector<std::string> split_tokens_;  ///< special strings split out of prompts, longest first
  std::int64_t bos_id_ = 0, eos_id_ = 0, pad_id_ = 0, unk_id_ = 0;
  std::int64_t model_max_length_ = 77;
  std::shared_ptr<BpeCache> cache_;  ///< word → tokens; shared by copies (same vocab and merges)
};

}  // namespace spstudio::models
