// SPDX-License-Identifier: Apache-2.0
#include "models/text/t5_tokenizer.h"

#include <algorithm>
#include <stdexcept>

namespace spstudio::models {

T5Tokenizer T5Tokenizer::from_file(const std::filesystem::path& spiece_model) {
  const std::string where = "cannot load T5 tokenizer model " + spiece_model.string();
  if (!std::filesystem::is_regular_file(spiece_model)) throw std::runtime_error(where + ": no such file");
  std::shared_ptr<const SentencePieceUnigram> unigram;
  try {
    unigram = std::make_shared<const SentencePieceUnigram>(SentencePieceModel::load(spiece_model));
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(where + ": " + e.what());
  }
  const SentencePieceModel& model = unigram->model();
  auto required = [&](const char* piece) {
    const std::int32_t id = model.find(piece);
    if (id < 0) throw std::runtime_error(where + ": it has no \"" + piece + "\" piece");
    return std::int64_t{id};
  };
  T5Tokenizer tokenizer;
  tokenizer.eos_id_ = required("</s>");
  tokenizer.pad_id_ = required("<pad>");
  tokenizer.unk_id_ = model.unknown_id();
  tokenizer.vocab_size_ = static_cast<std::int64_t>(model.pieces.size());
  tokenizer.unigram_ = std::move(unigram);
  return tokenizer;
}

T5Tokenizer T5Tokenizer::from_folder(const std::filesystem::path& folder) {
  return from_file(folder / "spiece.model");
}

std::vector<std::string> T5Tokenizer::tokenize(std::string_view text) const {
  std::vector<std::string> pieces;
  for (auto& [piece, id] : unigram_->encode(text))
    pieces.push_back(std::move(piece));
  return pieces;
}

std::vector<std::int64_t> T5Tokenizer::token_ids(std::string_view text) const {
  std::vector<std::int64_t> ids;
  for (const auto& [piece, id] : unigram_->encode(text))
    ids.push_back(id);
  return ids;
}

std::vector<std::int64_t> T5Tokenizer::encode(std::string_view text, std::int64_t max_length) const {
  if (max_length < 1) {
    throw std::invalid_argument("T5 tokenizer: max_length must be at least 1 (eos), got " + std::to_string(max_length));
  }
  std::vector<std::int64_t> ids = token_ids(text);
  ids.resize(std::min<std::size_t>(ids.size(), static_cast<std::size_t>(max_length - 1)));
  ids.push_back(eos_id_);
  ids.resize(static_cast<std::size_t>(max_length), pad_id_);
  return ids;
}

}  // namespace spstudio::models
