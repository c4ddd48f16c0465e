// SPDX-License-Identifier: Apache-2.0
#include "models/text/sentencepiece_model.h"

#include <set>
#include <stdexcept>
#include <utility>

#include "models/text/proto_reader.h"
#include "models/text/text_files.h"

namespace spstudio::models {
namespace {

// sentencepiece_model.proto field numbers.
constexpr int kModelPieces = 1, kModelTrainerSpec = 2, kModelNormalizerSpec = 3;
constexpr int kPiecePiece = 1, kPieceScore = 2, kPieceType = 3;
constexpr int kTrainerModelType = 3, kTrainerTreatWhitespaceAsSuffix = 24, kTrainerByteFallback = 35,
              kTrainerUnkId = 40, kTrainerBosId = 41, kTrainerEosId = 42, kTrainerPadId = 43;
constexpr int kNormalizerName = 1, kNormalizerCharsmap = 2, kNormalizerAddDummyPrefix = 3,
              kNormalizerRemoveExtraWhitespaces = 4, kNormalizerEscapeWhitespaces = 5;

SentencePieceModel::Piece parse_piece(std::string_view bytes) {
  SentencePieceModel::Piece piece;
  ProtoReader r(bytes);
  while (r.next()) {
    if (r.field() == kPiecePiece) {
      piece.piece = std::string(r.read_bytes());
    } else if (r.field() == kPieceScore) {
      piece.score = r.read_float();
    } else if (r.field() == kPieceType) {
      const std::int32_t type = r.read_int32();
      if (type < 1 || type > 6) throw std::runtime_error("piece type " + std::to_string(type) + " is not known");
      piece.type = static_cast<SentencePieceModel::PieceType>(type);
    } else {
      r.skip();
    }
  }
  return piece;
}

void parse_trainer_spec(std::string_view bytes, SentencePieceModel& model) {
  ProtoReader r(bytes);
  while (r.next()) {
    switch (r.field()) {
      case kTrainerModelType: {
        const std::int32_t type = r.read_int32();
        if (type < 1 || type > 4) throw std::runtime_error("model type " + std::to_string(type) + " is not known");
        model.model_type = static_cast<SentencePieceModel::ModelType>(type);
        break;
      }
      case kTrainerTreatWhitespaceAsSuffix:
        model.treat_whitespace_as_suffix = r.read_bool();
        break;
      case kTrainerByteFallback:
        model.byte_fallback = r.read_bool();
        break;
      case kTrainerUnkId:
        model.unk_id = r.read_int32();
        break;
      case kTrainerBosId:
        model.bos_id = r.read_int32();
        break;
      case kTrainerEosId:
        model.eos_id = r.read_int32();
        break;
      case kTrainerPadId:
        model.pad_id = r.read_int32();
        break;
      default:
        r.skip();
    }
  }
}

void parse_normalizer_spec(std::string_view bytes, SentencePieceModel& model) {
  ProtoReader r(bytes);
  while (r.next()) {
    switch (r.field()) {
      case kNormalizerName:
        model.normalizer_name = std::string(r.read_bytes());
        break;
      case kNormalizerCharsmap:
        model.precompiled_charsmap = std::string(r.read_bytes());
        break;
      case kNormalizerAddDummyPrefix:
        model.add_dummy_prefix = r.read_bool();
        break;
      case kNormalizerRemoveExtraWhitespaces:
        model.remove_extra_whitespaces = r.read_bool();
        break;
      case kNormalizerEscapeWhitespaces:
        model.escape_whitespaces = r.read_bool();
        break;
      default:
        r.skip();
    }
  }
}

}  // namespace

SentencePieceModel SentencePieceModel::parse(std::string_view serialized) {
  SentencePieceModel model;
  ProtoReader r(serialized);
  while (r.next()) {
    if (r.field() == kModelPieces) {
      model.pieces.push_back(parse_piece(r.read_bytes()));
    } else if (r.field() == kModelTrainerSpec) {
      parse_trainer_spec(r.read_bytes(), model);
    } else if (r.field() == kModelNormalizerSpec) {
      parse_normalizer_spec(r.read_bytes(), model);
    } else {
      r.skip();  // self_test_data, denormalizer_spec, extensions
    }
  }
  if (model.pieces.empty()) throw std::runtime_error("the model has no pieces");
  if (model.model_type != ModelType::kUnigram) {
    throw std::runtime_error("only unigram models are supported (this one is type " +
                             std::to_string(static_cast<int>(model.model_type)) + ")");
  }
  if (model.byte_fallback) throw std::runtime_error("models with byte_fallback are not supported");
  // The checks of sentencepiece's ModelInterface::InitializePieces: normal-like pieces and
  // reserved ones (control, unknown) are two maps, each without duplicates.
  std::set<std::string_view> normal, reserved;
  int unknown = 0;
  for (const Piece& p : model.pieces) {
    if (p.piece.empty()) throw std::runtime_error("a piece is empty");
    if (p.piece.find('\0') != std::string::npos) throw std::runtime_error("a piece contains a NUL character");
    if (p.type == PieceType::kByte) throw std::runtime_error("byte piece \"" + p.piece + "\" without byte_fallback");
    const bool is_normal =
        p.type == PieceType::kNormal || p.type == PieceType::kUserDefined || p.type == PieceType::kUnused;
    if (!(is_normal ? normal : reserved).insert(p.piece).second) {
      throw std::runtime_error("piece \"" + p.piece + "\" is defined twice");
    }
    if (p.type == PieceType::kUnknown) ++unknown;
  }
  if (unknown != 1)
    throw std::runtime_error(unknown == 0 ? "no unknown piece is defined" : "unknown piece is defined twice");
  return model;
}

SentencePieceModel SentencePieceModel::load(const std::filesystem::path& path) {
  const std::string bytes = read_text_file(path);
  try {
    return parse(bytes);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path.string() + " is not a sentencepiece model: " + e.what());
  }
}

std::int32_t SentencePieceModel::unknown_id() const {
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (pieces[i].type == PieceType::kUnknown) return static_cast<std::int32_t>(i);
  }
  return -1;
}

std::int32_t SentencePieceModel::find(std::string_view piece) const {
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (pieces[i].piece == piece) return static_cast<std::int32_t>(i);
  }
  return -1;
}

}  // namespace spstudio::models
