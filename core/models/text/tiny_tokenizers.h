// SPDX-License-Identifier: Apache-2.0
// Small, fully deterministic tokenizer files for the builtin tiny model, written in the same
// formats as real checkpoints so the real loaders read them (no downloads on a fresh machine):
//   CLIP: vocab.json (the 256 byte symbols, their `</w>` forms, a few dozen English words built by
//         merges.txt, the two special tokens), merges.txt, special_tokens_map.json,
//         tokenizer_config.json;
//   T5:   spiece.model, a sentencepiece unigram ModelProto (pad 0, </s> 1, <unk> 2, "▁", letters,
//         digits, punctuation and "▁word" pieces).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace spstudio::models {

/// The tiny CLIP merges in rank order ("c a", "ca t</w>", ...).
const std::vector<std::pair<std::string, std::string>>& tiny_clip_merges();
/// Creates `folder` if needed and writes the four CLIP tokenizer files into it.
void write_tiny_clip_tokenizer(const std::filesystem::path& folder);
/// 256 bytes + 256 `</w>` forms + merges + 2 specials: the CLIP text encoder's vocab_size.
std::int64_t tiny_clip_vocab_size();
std::int64_t tiny_clip_bos_token_id();  ///< `<|startoftext|>`, second to last
std::int64_t tiny_clip_eos_token_id();  ///< `<|endoftext|>`, the largest id (also the pad)

/// The tiny T5 pieces with their scores and types (1 normal, 2 unknown, 3 control), in id order.
struct TinySentencePiece {
  std::string piece;
  float score;
  int type;
};
const std::vector<TinySentencePiece>& tiny_t5_pieces();
/// Creates `folder` if needed and writes `spiece.model` into it.
void write_tiny_t5_tokenizer(const std::filesystem::path& folder);
/// The serialised ModelProto that write_tiny_t5_tokenizer writes.
std::string tiny_t5_model_proto();
/// The number of pieces: the T5 encoder's vocab_size.
std::int64_t tiny_t5_vocab_size();

}  // namespace spstudio::models
