// SPDX-License-Identifier: Apache-2.0
// A sentencepiece model file (`spiece.model`, a serialised sentencepiece.ModelProto) read without
// libprotobuf or libsentencepiece: Debian's libsentencepiece embeds protobuf 3.14 and exports its
// symbols, which clash with the libprotobuf that LibTorch loads (the process dies before main).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace spstudio::models {

struct SentencePieceModel {
  enum class PieceType { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };
  enum class ModelType { kUnigram = 1, kBpe = 2, kWord = 3, kChar = 4 };

  struct Piece {
    std::string piece;
    float score = 0;
    PieceType type = PieceType::kNormal;
  };
  std::vector<Piece> pieces;  ///< index = id

  // TrainerSpec (proto defaults).
  ModelType model_type = ModelType::kUnigram;
  std::int32_t unk_id = 0, bos_id = 1, eos_id = 2, pad_id = -1;
  bool byte_fallback = false;
  bool treat_whitespace_as_suffix = false;

  // NormalizerSpec (proto defaults).
  std::string normalizer_name;
  std::string precompiled_charsmap;  ///< [u32 trie bytes][darts-clone double array][NUL-separated outputs]
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;

  /// Parses and checks a ModelProto as libsentencepiece's loader does (non-empty unique pieces,
  /// exactly one unknown piece). Throws std::runtime_error saying what is wrong; only unigram
  /// models without byte fallback (T5's kind) are accepted.
  static SentencePieceModel parse(std::string_view serialized);
  /// parse() of a file; errors name the file.
  static SentencePieceModel load(const std::filesystem::path& path);

  /// The unknown piece's id (the one UNKNOWN piece).
  std::int32_t unknown_id() const;
  /// The id of `piece`, or -1.
  std::int32_t find(std::string_view piece) const;
};

}  // namespace spstudio::models
