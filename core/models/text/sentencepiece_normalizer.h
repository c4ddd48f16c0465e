// SPDX-License-Identifier: Apache-2.0
// sentencepiece's text normaliser, as its Normalizer::Normalize: the model's precompiled character
// map (longest match in a darts-clone double-array trie, e.g. T5's NFKC rules), user-defined
// pieces copied as they are, extra whitespace removed, a dummy "▁" prefix, spaces escaped as "▁".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/text/sentencepiece_model.h"

namespace spstudio::models {

class SentencePieceNormalizer {
 public:
  /// Throws std::runtime_error when the precompiled character map is malformed.
  explicit SentencePieceNormalizer(const SentencePieceModel& model);

  std::string normalize(std::string_view input) const;

 private:
  /// The normalised form of the longest rule matching a prefix of `input`, and how many input
  /// bytes it consumes (one character copied as is when no rule matches; U+FFFD for one byte of
  /// malformed UTF-8).
  std::pair<std::string_view, std::size_t> normalize_prefix(std::string_view input) const;
  /// Length of the longest user-defined piece that prefixes `input`, or 0.
  std::size_t user_defined_prefix(std::string_view input) const;

  std::vector<std::uint32_t> trie_;  ///< double-array units
  std::string outputs_;              ///< NUL-terminated normalised strings the trie values point into
  std::vector<std::string> user_defined_;
  bool add_dummy_prefix_, remove_extra_whitespaces_, escape_whitespaces_, treat_whitespace_as_suffix_;
};

}  // namespace spstudio::models
