// SPDX-License-Identifier: Apache-2.0
// sentencepiece's unigram segmentation (SentencePieceProcessor::Encode with a unigram model):
// normalise, then the Viterbi path of highest total piece score over the normalised text, with a
// one-character <unk> wherever no piece starts, and runs of <unk> merged into one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "models/text/sentencepiece_model.h"
#include "models/text/sentencepiece_normalizer.h"

namespace spstudio::models {

class SentencePieceUnigram {
 public:
  /// Throws std::runtime_error for a model the normaliser cannot use.
  explicit SentencePieceUnigram(SentencePieceModel model);

  /// (piece, id) of each token of `text`.
  std::vector<std::pair<std::string, std::int32_t>> encode(std::string_view text) const;

  const SentencePieceModel& model() const { return model_; }
  std::string normalize(std::string_view text) const { return normalizer_.normalize(text); }

 private:
  SentencePieceModel model_;
  SentencePieceNormalizer normalizer_;
  std::unordered_map<std::string, std::int32_t> matchable_;  ///< normal, user-defined and unused pieces
  std::size_t longest_piece_ = 0;                            ///< in bytes
  std::int32_t unk_id_;
  float min_score_, max_score_;
};

}  // namespace spstudio::models
