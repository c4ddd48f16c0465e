// SPDX-License-Identifier: Apache-2.0
// T5Tokenizer on the tiny spiece.model: golden ids derived by hand, and unloadable files.
//
// The tiny pieces (tiny_tokenizers.cpp) and their ids:
//   0 <pad>, 1 </s>, 2 <unk>, 3 "▁" (score -2);
//   4..29 a..z, 30..55 A..Z, 56..65 0..9, 66..76 . , ! ? ' - : ; ( ) "   (score -3 each);
//   77 ▁a, 78 ▁the, 79 ▁cat, 80 ▁dog, 81 ▁photo, 82 ▁of, 83 ▁on, 84 ▁in, 85 ▁red, 86 ▁and,
//   87 ▁sky, 88 ▁blue, 89 ▁with, 90 ▁is, 91 ▁green, 92 ▁tree, 93 ▁sun   (score -1 each).
// The normalizer is "identity" (no lower-casing) with a dummy prefix, collapsed whitespace and
// spaces written "▁", so "a cat" is segmented as "▁a▁cat". The unigram model picks the
// segmentation with the highest total score: a "▁word" piece (-1) beats any spelling of it
// ("▁" + letters ≤ -5), and a word without a piece is "▁" followed by its characters.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "error_text.h"
#include "models/text/proto_writer.h"
#include "models/text/t5_tokenizer.h"
#include "models/text/tiny_tokenizers.h"
#include "text_test_support.h"

namespace spstudio::models {
namespace {

using testing::error_of;
using testing::TempFolder;
using Ids = std::vector<std::int64_t>;

constexpr std::int64_t kPad = 0, kEos = 1, kUnk = 2, kSpace = 3;
constexpr std::int64_t kA = 77, kThe = 78, kCat = 79, kDog = 80, kPhoto = 81, kOf = 82;
constexpr std::int64_t lower(char c) {
  return 4 + (c - 'a');
}
constexpr std::int64_t upper(char c) {
  return 30 + (c - 'A');
}
constexpr std::int64_t digit(char c) {
  return 56 + (c - '0');
}
constexpr std::int64_t kComma = 67, kBang = 68;

const T5Tokenizer& tiny() {
  static const T5Tokenizer tokenizer = [] {
    TempFolder folder;
    write_tiny_t5_tokenizer(folder.path());
    return T5Tokenizer::from_folder(folder.path());
  }();
  return tokenizer;
}

/// ids, </s>, then <pad> up to `length`.
Ids padded(Ids ids, std::size_t length = 512) {
  ids.push_back(kEos);
  ids.resize(length, kPad);
  return ids;
}

TEST(T5Tokenizer, TinyModelHasTheDocumentedPieces) {
  EXPECT_EQ(tiny().vocab_size(), 94);
  EXPECT_EQ(tiny_t5_vocab_size(), 94);
  EXPECT_EQ(tiny().eos_token_id(), kEos);
  EXPECT_EQ(tiny().pad_token_id(), kPad);
  EXPECT_EQ(tiny().unk_token_id(), kUnk);
}

TEST(T5Tokenizer, PlainWords) {
  EXPECT_EQ(tiny().encode("a photo of a cat"), padded({kA, kPhoto, kOf, kA, kCat}));
  EXPECT_EQ(tiny().tokenize("a cat"), (std::vector<std::string>{"\xE2\x96\x81"
                                                                "a",
                                                                "\xE2\x96\x81"
                                                                "cat"}));
  // "cats": "▁cat" + "s" (-4) beats "▁" c a t s (-14).
  EXPECT_EQ(tiny().token_ids("cats"), (Ids{kCat, lower('s')}));
}

TEST(T5Tokenizer, UpperCaseIsSpelledOut) {
  // No lower-casing: "▁A" and "▁Cat" have no pieces, so "▁" then the characters.
  EXPECT_EQ(tiny().token_ids("A Cat"), (Ids{kSpace, upper('A'), kSpace, upper('C'), lower('a'), lower('t')}));
}

TEST(T5Tokenizer, ExtraWhitespaceIsCollapsed) {
  EXPECT_EQ(tiny().token_ids("   a    cat  "), (Ids{kA, kCat}));
}

TEST(T5Tokenizer, Punctuation) {
  // "▁the▁cat,▁the▁dog!": punctuation has no "▁" of its own when it follows a word.
  EXPECT_EQ(tiny().token_ids("the cat, the dog!"), (Ids{kThe, kCat, kComma, kThe, kDog, kBang}));
}

TEST(T5Tokenizer, Digits) {
  // "▁2▁cats▁42": digits are single pieces.
  EXPECT_EQ(tiny().token_ids("2 cats 42"), (Ids{kSpace, digit('2'), kCat, lower('s'), kSpace, digit('4'), digit('2')}));
}

TEST(T5Tokenizer, UnicodeOutsideTheVocabIsUnknown) {
  // "▁café": é has no piece → <unk>.
  EXPECT_EQ(tiny().token_ids("café"), (Ids{kSpace, lower('c'), lower('a'), lower('f'), kUnk}));
  // sentencepiece emits one <unk> for a run of unknown characters.
  EXPECT_EQ(tiny().token_ids("日本"), (Ids{kSpace, kUnk}));
  EXPECT_EQ(tiny().token_ids("a 😀"), (Ids{kA, kSpace, kUnk}));
}

TEST(T5Tokenizer, EmptyPromptIsEosAndPadding) {
  EXPECT_EQ(tiny().encode(""), padded({}));
  EXPECT_EQ(tiny().encode("", 4), (Ids{kEos, kPad, kPad, kPad}));
}

TEST(T5Tokenizer, LongPromptIsTruncatedKeepingEosLast) {
  std::string prompt;
  for (int i = 0; i < 600; ++i)
    prompt += "cat ";
  const Ids ids = tiny().encode(prompt);
  ASSERT_EQ(ids.size(), 512u);
  EXPECT_EQ(Ids(ids.begin(), ids.end() - 1), Ids(511, kCat));
  EXPECT_EQ(ids.back(), kEos);
  EXPECT_EQ(tiny().encode("a photo of a cat", 4), (Ids{kA, kPhoto, kOf, kEos}));
  EXPECT_EQ(tiny().encode("a photo of a cat", 8), padded({kA, kPhoto, kOf, kA, kCat}, 8));
  EXPECT_CONTAINS(error_of([] { tiny().encode("a", 0); }), "max_length must be at least 1");
}

TEST(T5Tokenizer, MissingModelFile) {
  TempFolder folder;
  const std::string error = error_of([&] { T5Tokenizer::from_folder(folder.path()); });
  EXPECT_CONTAINS(error, "cannot load T5 tokenizer model");
  EXPECT_CONTAINS(error, (folder.path() / "spiece.model").string());
}

TEST(T5Tokenizer, ModelFileThatIsNotAModel) {
  TempFolder folder;
  std::ofstream(folder.path() / "spiece.model", std::ios::binary) << "this is not a protobuf \x01\x02\xFF";
  const std::string error = error_of([&] { T5Tokenizer::from_folder(folder.path()); });
  EXPECT_CONTAINS(error, "cannot load T5 tokenizer model");
  EXPECT_CONTAINS(error, (folder.path() / "spiece.model").string());
}

TEST(T5Tokenizer, ModelWithoutEosPiece) {
  // A valid unigram model whose pieces lack "</s>".
  ProtoWriter model;
  for (const auto& [piece, type] : std::vector<std::pair<std::string, int>>{{"<unk>", 2}, {"<pad>", 3}, {"a", 1}}) {
    ProtoWriter entry;
    entry.bytes_field(1, piece);
    entry.float_field(2, -1.0f);
    entry.int32_field(3, type);
    model.message_field(1, entry);
  }
  ProtoWriter trainer;
  trainer.int32_field(3, 1);   // UNIGRAM
  trainer.int32_field(40, 0);  // unk_id
  trainer.int32_field(41, -1);
  trainer.int32_field(42, -1);
  trainer.int32_field(43, 1);
  model.message_field(2, trainer);
  TempFolder folder;
  std::ofstream(folder.path() / "spiece.model", std::ios::binary) << model.bytes();
  const std::string error = error_of([&] { T5Tokenizer::from_folder(folder.path()); });
  EXPECT_CONTAINS(error, (folder.path() / "spiece.model").string());
  EXPECT_CONTAINS(error, "has no \"</s>\" piece");
}

TEST(T5Tokenizer, ModelOfAnotherTypeIsRefused) {
  // The tiny model with TrainerSpec.model_type (field 3) = BPE (2) appended: the last value wins.
  ProtoWriter trainer;
  trainer.int32_field(3, 2);
  ProtoWriter tail;
  tail.message_field(2, trainer);
  TempFolder folder;
  std::ofstream(folder.path() / "spiece.model", std::ios::binary) << tiny_t5_model_proto() + tail.bytes();
  const std::string error = error_of([&] { T5Tokenizer::from_folder(folder.path()); });
  EXPECT_CONTAINS(error, (folder.path() / "spiece.model").string());
  EXPECT_CONTAINS(error, "only unigram models are supported");
}

TEST(T5Tokenizer, TruncatedModelFile) {
  TempFolder folder;
  const std::string model = tiny_t5_model_proto();
  std::ofstream(folder.path() / "spiece.model", std::ios::binary) << model.substr(0, model.size() - 3);
  const std::string error = error_of([&] { T5Tokenizer::from_folder(folder.path()); });
  EXPECT_CONTAINS(error, "cannot load T5 tokenizer model");
  EXPECT_CONTAINS(error, "malformed protobuf");
}

TEST(ProtoWriter, EncodesTheWireFormat) {
  ProtoWriter w;
  w.int32_field(3, 1);     // tag (3 << 3 | 0) = 0x18, value 1
  w.int32_field(41, -1);   // tag 41 << 3 = 328 = varint C8 02; -1 as ten bytes
  w.bool_field(5, true);   // 0x28 0x01
  w.float_field(2, 1.0f);  // 0x15, then 00 00 80 3F
  w.bytes_field(1, "ab");  // 0x0A 0x02 'a' 'b'
  const std::string expected = std::string("\x18\x01\xC8\x02", 4) + std::string(9, '\xFF') + std::string("\x01", 1) +
                               std::string("\x28\x01", 2) + std::string("\x15\x00\x00\x80\x3F", 5) +
                               std::string(
                                   "\x0A\x02"
                                   "ab",
                                   4);
  EXPECT_EQ(w.bytes(), expected);
}

}  // namespace
}  // namespace spstudio::models
