// SPDX-License-Identifier: Apache-2.0
#include "models/text/sentencepiece_unigram.h"

#include <algorithm>
#include <cfloat>
#include <utility>

namespace spstudio::models {
namespace {

using PieceType = SentencePieceModel::PieceType;

// sentencepiece's OneCharLen: the length the lead byte announces (the normalised text is valid).
std::size_t one_char_length(unsigned char lead) {
  constexpr unsigned char kLengths[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLengths[lead >> 4];
}

}  // namespace

SentencePieceUnigram::SentencePieceUnigram(SentencePieceModel model)
    : model_(std::move(model)), normalizer_(model_), unk_id_(model_.unknown_id()) {
  // sentencepiece starts max_score at FLT_MIN (the smallest positive float), not -FLT_MAX; kept,
  // since user-defined pieces are scored from it.
  min_score_ = FLT_MAX;
  max_score_ = FLT_MIN;
  for (std::size_t id = 0; id < model_.pieces.size(); ++id) {
    const auto& p = model_.pieces[id];
    if (p.type == PieceType::kNormal) {
      min_score_ = std::min(min_score_, p.score);
      max_score_ = std::max(max_score_, p.score);
    }
    if (p.type == PieceType::kNormal || p.type == PieceType::kUserDefined || p.type == PieceType::kUnused) {
      matchable_.emplace(p.piece, static_cast<std::int32_t>(id));
      longest_piece_ = std::max(longest_piece_, p.piece.size());
    }
  }
}

std::vector<std::pair<std::string, std::int32_t>> SentencePieceUnigram::encode(std::string_view text) const {
  const std::string normalized = normalizer_.normalize(text);
  const std::size_t size = normalized.size();
  // The best path ending at each byte position (sentencepiece's EncodeOptimized): filled from
  // left to right; a later candidate replaces an earlier one only when strictly better, so ties go
  // to the path whose last piece starts first.
  struct Best {
    std::int32_t id = -1;
    float score = 0;
    std::int64_t starts_at = -1;
  };
  std::vector<Best> best(size + 1);
  constexpr float kUnkPenalty = 10.0f;
  const float unk_score = min_score_ - kUnkPenalty;

  std::size_t start = 0;
  while (start < size) {
    const float score_here = best[start].score;
    const std::size_t char_length =
        std::min(one_char_length(static_cast<unsigned char>(normalized[start])), size - start);
    bool has_single_char_piece = false;
    const std::size_t limit = std::min(size, start + longest_piece_);
    for (std::size_t end = start + 1; end <= limit; ++end) {
      auto it = matchable_.find(normalized.substr(start, end - start));
      if (it == matchable_.end()) continue;
      const std::int32_t id = it->second;
      const auto& piece = model_.pieces[static_cast<std::size_t>(id)];
      if (piece.type == PieceType::kUnused) continue;
      const std::size_t length = end - start;
      // User-defined pieces get a bonus so that they are always chosen.
      const float score = piece.type == PieceType::kUserDefined ? float(length) * max_score_ - 0.1f : piece.score;
      Best& target = best[end];
      if (target.starts_at == -1 || score_here + score > target.score) {
        target = {id, score_here + score, static_cast<std::int64_t>(start)};
      }
      if (length == char_length) has_single_char_piece = true;
    }
    if (!has_single_char_piece) {
      Best& target = best[start + char_length];
      if (target.starts_at == -1 || score_here + unk_score > target.score) {
        target = {unk_id_, score_here + unk_score, static_cast<std::int64_t>(start)};
      }
    }
    start += char_length;
  }

  std::vector<std::pair<std::string, std::int32_t>> reversed;
  for (std::size_t end = size; end > 0;) {
    const Best& node = best[end];
    const auto begin = static_cast<std::size_t>(node.starts_at);
    reversed.emplace_back(normalized.substr(begin, end - begin), node.id);
    end = begin;
  }
  // Runs of unknown pieces become one (SentencePieceProcessor's PopulateSentencePieceText).
  std::vector<std::pair<std::string, std::int32_t>> pieces;
  for (auto it = reversed.rbegin(); it != reversed.rend(); ++it) {
    if (it->second == unk_id_ && !pieces.empty() && pieces.back().second == unk_id_) {
      pieces.back().first += it->first;
    } else {
      pieces.push_back(std::move(*it));
    }
  }
  return pieces;
}

}  // namespace spstudio::models
