// SPDX-License-Identifier: Apache-2.0
// The files of a diffusers `tokenizer/` folder for CLIP, read and checked with errors that name
// the file (and the line, for merges.txt).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "models/text/clip_tokenizer.h"

namespace spstudio::models {

struct CLIPTokenizerFiles {
  std::unordered_map<std::string, std::int64_t> vocab;      ///< vocab.json
  std::vector<std::pair<std::string, std::string>> merges;  ///< merges.txt, rank order
  CLIPSpecialTokens special_tokens;  ///< tokenizer_config.json, then special_tokens_map.json on top
  std::unordered_map<std::string, std::int64_t> added_tokens;  ///< tokenizer_config's added_tokens_decoder
  std::int64_t model_max_length = 77;
};

/// vocab.json and merges.txt are required; tokenizer_config.json and special_tokens_map.json are
/// read when present. Throws std::runtime_error naming the file for anything malformed, including
/// a merge whose result is missing from the vocab.
CLIPTokenizerFiles read_clip_tokenizer_files(const std::filesystem::path& folder);

}  // namespace spstudio::models
