// SPDX-License-Identifier: Apache-2.0
#include "models/text/tiny_tokenizers.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>

#include "models/text/byte_level.h"
#include "models/text/proto_writer.h"

namespace spstudio::models {
namespace {

constexpr const char* kBos = "<|startoftext|>";
constexpr const char* kEos = "<|endoftext|>";
constexpr const char* kWordBoundary = "\xE2\x96\x81";  // "▁", sentencepiece's escaped space

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// sentencepiece_model.proto field numbers.
namespace spm {
constexpr int kModelPieces = 1, kModelTrainerSpec = 2, kModelNormalizerSpec = 3;
constexpr int kPiecePiece = 1, kPieceScore = 2, kPieceType = 3;
constexpr int kTrainerModelType = 3, kTrainerVocabSize = 4, kTrainerUnkId = 40, kTrainerBosId = 41, kTrainerEosId = 42,
              kTrainerPadId = 43;
constexpr int kNormalizerName = 1, kNormalizerAddDummyPrefix = 3, kNormalizerRemoveExtraWhitespaces = 4,
              kNormalizerEscapeWhitespaces = 5;
constexpr int kUnigram = 1;
constexpr int kNormal = 1, kUnknown = 2, kControl = 3;
}  // namespace spm

}  // namespace

const std::vector<std::pair<std::string, std::string>>& tiny_clip_merges() {
  // Each word is built left to right. Pairs that start a longer word ("t r" for tree, "g r" for
  // green) rank before "r e", or BPE would take "re" out of the middle of them first.
  static const std::vector<std::pair<std::string, std::string>> merges = {
      {"t", "h"},       {"th", "e</w>"}, {"c", "a"},        {"ca", "t</w>"},   {"d", "o"},       {"do", "g</w>"},
      {"p", "h"},       {"ph", "o"},     {"pho", "t"},      {"phot", "o</w>"}, {"phot", "o"},    {"o", "f</w>"},
      {"o", "n</w>"},   {"i", "n</w>"},  {"t", "r"},        {"tr", "e"},       {"tre", "e</w>"}, {"g", "r"},
      {"gr", "e"},      {"gre", "e"},    {"gree", "n</w>"}, {"r", "e"},        {"re", "d</w>"},  {"a", "n"},
      {"an", "d</w>"},  {"s", "k"},      {"sk", "y</w>"},   {"i", "s</w>"},    {"b", "l"},       {"bl", "u"},
      {"blu", "e</w>"}, {"w", "i"},      {"wi", "t"},       {"wit", "h</w>"},  {"'", "s</w>"},   {"s", "u"},
      {"su", "n</w>"},
  };
  return merges;
}

std::int64_t tiny_clip_vocab_size() {
  return 512 + static_cast<std::int64_t>(tiny_clip_merges().size()) + 2;
}

std::int64_t tiny_clip_bos_token_id() {
  return tiny_clip_vocab_size() - 2;
}

std::int64_t tiny_clip_eos_token_id() {
  return tiny_clip_vocab_size() - 1;
}

void write_tiny_clip_tokenizer(const std::filesystem::path& folder) {
  std::filesystem::create_directories(folder);
  // Ids in CLIP's own layout: byte symbols, their word-final forms, merges in rank order, specials.
  nlohmann::json vocab = nlohmann::json::object();
  std::int64_t id = 0;
  for (const char* suffix : {"", "</w>"}) {
    for (unsigned char byte : byte_level_vocab_order())
      vocab[byte_level_symbols()[byte] + suffix] = id++;
  }
  std::string merges_txt = "#version: 0.2\n";
  for (const auto& [first, second] : tiny_clip_merges()) {
    vocab[first + second] = id++;
    merges_txt += first + " " + second + "\n";
  }
  vocab[kBos] = id++;
  vocab[kEos] = id++;
  write_file(folder / "vocab.json", vocab.dump(1) + "\n");
  write_file(folder / "merges.txt", merges_txt);

  const nlohmann::json special_tokens_map = {
      {"bos_token",
       {{"content", kBos}, {"lstrip", false}, {"normalized", true}, {"rstrip", false}, {"single_word", false}}},
      {"eos_token",
       {{"content", kEos}, {"lstrip", false}, {"normalized", true}, {"rstrip", false}, {"single_word", false}}},
      {"pad_token", kEos},
      {"unk_token",
       {{"content", kEos}, {"lstrip", false}, {"normalized", true}, {"rstrip", false}, {"single_word", false}}},
  };
  write_file(folder / "special_tokens_map.json", special_tokens_map.dump(2) + "\n");
  const nlohmann::json tokenizer_config = {
      {"tokenizer_class", "CLIPTokenizer"},
      {"model_max_length", 77},
      {"do_lower_case", true},
      {"errors", "replace"},
      {"bos_token", kBos},
      {"eos_token", kEos},
      {"pad_token", kEos},
      {"unk_token", kEos},
  };
  write_file(folder / "tokenizer_config.json", tokenizer_config.dump(2) + "\n");
}

const std::vector<TinySentencePiece>& tiny_t5_pieces() {
  static const std::vector<TinySentencePiece> pieces = [] {
    std::vector<TinySentencePiece> p = {
        {"<pad>", 0.0f, spm::kControl}, {"</s>", 0.0f, spm::kControl}, {"<unk>", 0.0f, spm::kUnknown}};
    // Scores make the segmentation easy to derive by hand: a whole "▁word" (-1) always beats
    // spelling it out ("▁" -2, each character -3).
    p.push_back({kWordBoundary, -2.0f, spm::kNormal});
    for (char c = 'a'; c <= 'z'; ++c)
      p.push_back({std::string(1, c), -3.0f, spm::kNormal});
    for (char c = 'A'; c <= 'Z'; ++c)
      p.push_back({std::string(1, c), -3.0f, spm::kNormal});
    for (char c = '0'; c <= '9'; ++c)
      p.push_back({std::string(1, c), -3.0f, spm::kNormal});
    for (char c : std::string(".,!?'-:;()\""))
      p.push_back({std::string(1, c), -3.0f, spm::kNormal});
    for (const char* word : {"a", "the", "cat", "dog", "photo", "of", "on", "in", "red", "and", "sky", "blue", "with",
                             "is", "green", "tree", "sun"}) {
      p.push_back({std::string(kWordBoundary) + word, -1.0f, spm::kNormal});
    }
    return p;
  }();
  return pieces;
}

std::int64_t tiny_t5_vocab_size() {
  return static_cast<std::int64_t>(tiny_t5_pieces().size());
}

std::string tiny_t5_model_proto() {
  ProtoWriter model;
  for (const TinySentencePiece& piece : tiny_t5_pieces()) {
    ProtoWriter entry;
    entry.bytes_field(spm::kPiecePiece, piece.piece);
    entry.float_field(spm::kPieceScore, piece.score);
    entry.int32_field(spm::kPieceType, piece.type);
    model.message_field(spm::kModelPieces, entry);
  }
  ProtoWriter trainer;
  trainer.int32_field(spm::kTrainerModelType, spm::kUnigram);
  trainer.int32_field(spm::kTrainerVocabSize, static_cast<std::int32_t>(tiny_t5_vocab_size()));
  trainer.int32_field(spm::kTrainerUnkId, 2);
  trainer.int32_field(spm::kTrainerBosId, -1);  // T5 has no bos
  trainer.int32_field(spm::kTrainerEosId, 1);
  trainer.int32_field(spm::kTrainerPadId, 0);
  model.message_field(spm::kModelTrainerSpec, trainer);
  ProtoWriter normalizer;
  normalizer.bytes_field(spm::kNormalizerName, "identity");
  normalizer.bool_field(spm::kNormalizerAddDummyPrefix, true);
  normalizer.bool_field(spm::kNormalizerRemoveExtraWhitespaces, true);
  normalizer.bool_field(spm::kNormalizerEscapeWhitespaces, true);
  model.message_field(spm::kModelNormalizerSpec, normalizer);
  return model.bytes();
}

void write_tiny_t5_tokenizer(const std::filesystem::path& folder) {
  std::filesystem::create_directories(folder);
  write_file(folder / "spiece.model", tiny_t5_model_proto());
}

}  // namespace spstudio::models
