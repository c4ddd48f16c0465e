// SPDX-License-Identifier: Apache-2.0
// T5's tokenizer: the sentencepiece unigram model in `tokenizer_2/spiece.model` (the file carries
// its own normalisation rules), segmented as libsentencepiece does it, by SentencePieceUnigram:
// libsentencepiece itself cannot live in a LibTorch process here (see sentencepiece_model.h).
// Prompt ids are followed by `</s>`; Flux truncates to max_sequence_length keeping `</s>` last
// and pads with `<pad>`.
// Not reproduced from transformers' T5TokenizerFast: special-token strings written inside the
// prompt (`</s>`, `<extra_id_0>`) are segmented as text instead of mapped to their ids.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/text/sentencepiece_unigram.h"

namespace spstudio::models {

class T5Tokenizer {
 public:
  /// Loads `spiece.model`; throws std::runtime_error naming the file when it cannot be read, is
  /// not a unigram sentencepiece model, or lacks the `</s>` / `<pad>` pieces.
  static T5Tokenizer from_file(const std::filesystem::path& spiece_model);
  /// A diffusers `tokenizer_2/` folder (its spiece.model).
  static T5Tokenizer from_folder(const std::filesystem::path& folder);

  /// The prompt's ids truncated to max_length - 1, then `</s>`, then `<pad>` up to max_length.
  /// Throws std::invalid_argument when max_length < 1.
  std::vector<std::int64_t> encode(std::string_view text, std::int64_t max_length = 512) const;
  /// The prompt's ids without `</s>`, padding or truncation (to count tokens).
  std::vector<std::int64_t> token_ids(std::string_view text) const;
  /// The prompt's pieces as strings ("▁cat").
  std::vector<std::string> tokenize(std::string_view text) const;

  std::int64_t eos_token_id() const { return eos_id_; }
  std::int64_t pad_token_id() const { return pad_id_; }
  std::int64_t unk_token_id() const { return unk_id_; }
  std::int64_t vocab_size() const { return vocab_size_; }

 private:
  T5Tokenizer() = default;

  // shared_ptr: the model is immutable and encoding is const, so copies share it across threads.
  std::shared_ptr<const SentencePieceUnigram> unigram_;
  std::int64_t eos_id_ = 1, pad_id_ = 0, unk_id_ = 2, vocab_size_ = 0;
};

}  // namespace spstudio::models
