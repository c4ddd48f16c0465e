// SPDX-License-Identifier: Apache-2.0
// CLIPTokenizer on the tiny tokenizer files: golden ids derived by hand, and malformed files.
//
// How the expected ids follow from the tiny vocab (CLIP's own layout, see tiny_tokenizers.h):
//   ids 0..187   the printable bytes in ascending order: '!'..'~' = 0..93 (so a byte c in that
//                range is c - 0x21), 0xA1..0xAC = 94..105, 0xAE..0xFF = 106..187;
//   ids 188..255 the other bytes ascending: 0x00..0x20 = 188..220, 0x7F..0xA0 = 221..254, 0xAD = 255;
//   ids 256..511 the same 256 symbols with "</w>" (word-final), i.e. +256;
//   ids 512..548 merge k of tiny_clip_merges() → 512 + k; 549 <|startoftext|>, 550 <|endoftext|>.
// The merges used below (rank k): 0 "t h", 1 "th e</w>", 2 "c a", 3 "ca t</w>", 4 "d o",
// 5 "do g</w>", 6 "p h", 7 "ph o", 8 "pho t", 9 "phot o</w>", 10 "phot o", 11 "o f</w>",
// 14 "t r", 15 "tr e", 16 "tre e</w>", 17 "g r", 18 "gr e", 19 "gre e", 20 "gree n</w>",
// 21 "r e", 22 "re d</w>", 25 "s k", 26 "sk y</w>", 34 "' s</w>".
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "error_text.h"
#include "models/text/clip_tokenizer.h"
#include "models/text/tiny_tokenizers.h"
#include "text_test_support.h"

namespace spstudio::models {
namespace {

using testing::error_of;
using testing::TempFolder;
using Ids = std::vector<std::int64_t>;

constexpr std::int64_t kBos = 549, kEos = 550;
constexpr std::int64_t kA = 'a' - 0x21 + 256;  // "a</w>" = 320: a one-letter word is its byte + </w>
constexpr std::int64_t kThe = 512 + 1, kCa = 512 + 2, kCat = 512 + 3, kDog = 512 + 5;
constexpr std::int64_t kPhotoWord = 512 + 9, kPhotoPrefix = 512 + 10, kOf = 512 + 11, kApostropheS = 512 + 34;
constexpr std::int64_t kT = 't' - 0x21;           // 83, "t" inside a word
constexpr std::int64_t kF = 'f' - 0x21;           // 69
constexpr std::int64_t kSEnd = 's' - 0x21 + 256;  // "s</w>" = 338
constexpr std::int64_t kCommaEnd = ',' - 0x21 + 256, kBangEnd = '!' - 0x21 + 256, kBang = '!' - 0x21;
constexpr std::int64_t kQuestionEnd = '?' - 0x21 + 256;
constexpr std::int64_t k2End = '2' - 0x21 + 256, k4End = '4' - 0x21 + 256;

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

const CLIPTokenizer& tiny() {
  static const CLIPTokenizer tokenizer = [] {
    TempFolder folder;
    write_tiny_clip_tokenizer(folder.path());
    return CLIPTokenizer::from_folder(folder.path());
  }();
  return tokenizer;
}

/// bos, ids, eos, then eos-as-pad up to 77.
Ids padded(Ids ids) {
  ids.insert(ids.begin(), kBos);
  ids.push_back(kEos);
  ids.resize(77, kEos);
  return ids;
}

TEST(CLIPTokenizer, TinyFilesHaveTheDocumentedLayout) {
  EXPECT_EQ(tiny().vocab_size(), 551);
  EXPECT_EQ(tiny_clip_vocab_size(), 551);
  EXPECT_EQ(tiny().bos_token_id(), kBos);
  EXPECT_EQ(tiny().eos_token_id(), kEos);
  EXPECT_EQ(tiny().pad_token_id(), kEos);  // Flux pads CLIP with <|endoftext|>
  EXPECT_EQ(tiny_clip_bos_token_id(), kBos);
  EXPECT_EQ(tiny_clip_eos_token_id(), kEos);
  EXPECT_EQ(tiny().model_max_length(), 77);
}

TEST(CLIPTokenizer, PlainWords) {
  // Whole words merge to their "</w>" tokens; "a" is the byte symbol "a</w>".
  EXPECT_EQ(tiny().encode("a photo of a cat"), padded({kA, kPhotoWord, kOf, kA, kCat}));
  EXPECT_EQ(tiny().tokenize("a photo of a cat"),
            (std::vector<std::string>{"a</w>", "photo</w>", "of</w>", "a</w>", "cat</w>"}));
}

TEST(CLIPTokenizer, MergesApplyByRank) {
  // "tree": t r e e</w> → "t r" (14) ranks before "r e" (21) → "tr" e e</w> → "tre" e</w> → 528.
  // "green": g r e e n</w> → "gr" (17) → "gre" (18) → "gree" (19) → "green</w>" (20) = 532.
  // "red": r e d</w> → "re" (21) → "red</w>" (22) = 534. "sky": "sk" (25) → "sky</w>" (26) = 538.
  EXPECT_EQ(tiny().token_ids("green tree red sky"), (Ids{532, 528, 534, 538}));
}

TEST(CLIPTokenizer, PartialWordsStopWhereTheMergesStop) {
  // "photos": p h o t o s</w> → ... → "phot" "o" "s</w>" → "photo" (merge 10) "s</w>".
  EXPECT_EQ(tiny().token_ids("photos"), (Ids{kPhotoPrefix, kSEnd}));
  // "cats": c a t s</w> → "ca" "t" "s</w>" (there is no "ca t" merge, only "ca t</w>").
  EXPECT_EQ(tiny().token_ids("cats"), (Ids{kCa, kT, kSEnd}));
}

TEST(CLIPTokenizer, UpperCaseIsLowered) {
  EXPECT_EQ(tiny().encode("A PHOTO Of A CaT"), padded({kA, kPhotoWord, kOf, kA, kCat}));
}

TEST(CLIPTokenizer, ExtraWhitespaceIsCollapsed) {
  EXPECT_EQ(tiny().encode("  a\tphoto \n\n of   a cat  "), padded({kA, kPhotoWord, kOf, kA, kCat}));
}

TEST(CLIPTokenizer, Punctuation) {
  // "," and "!" are one-symbol pieces of their own, so word-final: ",</w>", "!</w>".
  EXPECT_EQ(tiny().token_ids("the cat, the dog!"), (Ids{kThe, kCat, kCommaEnd, kThe, kDog, kBangEnd}));
  // A run of punctuation is one piece: "!" "!" "?</w>".
  EXPECT_EQ(tiny().token_ids("!!?"), (Ids{kBang, kBang, kQuestionEnd}));
  // The contraction 's is its own piece: "'" "s</w>" → "'s</w>" (merge 34).
  EXPECT_EQ(tiny().token_ids("cat's"), (Ids{kCat, kApostropheS}));
}

TEST(CLIPTokenizer, DigitsAreSplitOneByOne) {
  // "42" is two pieces "4" and "2", each word-final.
  EXPECT_EQ(tiny().token_ids("2 cats 42"), (Ids{k2End, kCa, kT, kSEnd, k4End, k2End}));
}

TEST(CLIPTokenizer, UnicodeFallsBackToByteSymbols) {
  // "café": letters c a f é = bytes 63 61 66 C3 A9 → "ca" (merge 2), "f" = 69, 0xC3 = 106 + 0x15
  // = 127, "0xA9</w>" = 94 + 8 + 256 = 358. Upper-case É lowers to é first.
  const Ids cafe = {kCa, kF, 127, 358};
  EXPECT_EQ(tiny().token_ids("café"), cafe);
  EXPECT_EQ(tiny().token_ids("CAFÉ"), cafe);
  // CJK ideographs become words of their own. 日 = E6 97 A5: 0xE6 = 106 + 0x38 = 162,
  // 0x97 = 221 + 0x18 = 245, 0xA5 = 94 + 4 = 98 → 354 word-final. 本 = E6 9C AC: 162,
  // 0x9C = 221 + 0x1D = 250, 0xAC = 94 + 11 = 105 → 361.
  EXPECT_EQ(tiny().token_ids("日本"), (Ids{162, 245, 354, 162, 250, 361}));
  // 😀 = F0 9F 98 80, not a letter: 0xF0 = 106 + 0x42 = 172, 0x9F = 221 + 0x20 = 253,
  // 0x98 = 221 + 0x19 = 246, 0x80 = 221 + 1 = 222 → 478. It splits from the letters before it.
  EXPECT_EQ(tiny().token_ids("cat😀"), (Ids{kCat, 172, 253, 246, 478}));
}

TEST(CLIPTokenizer, ControlAndFormatCharactersAreDropped) {
  // BasicTokenizer removes them before splitting, so the two halves become one word "acat":
  // a c a t</w> → "a" "ca" "t</w>" → "a" "cat</w>" (a = 0x61 - 0x21 = 64, not word-final).
  EXPECT_EQ(tiny().token_ids("a\x01"
                             "cat"),
            (Ids{64, kCat}));
  EXPECT_EQ(tiny().token_ids("a\u200B"
                             "cat"),
            (Ids{64, kCat}));
}

TEST(CLIPTokenizer, SpecialTokensInThePromptKeepTheirIds) {
  EXPECT_EQ(tiny().token_ids("a<|endoftext|>cat"), (Ids{kA, kEos, kCat}));
  // After lower-casing, CLIP's pattern still matches the special token's spelling.
  EXPECT_EQ(tiny().token_ids("a <|ENDOFTEXT|>"), (Ids{kA, kEos}));
}

TEST(CLIPTokenizer, EmptyPromptIsBosEosAndPadding) {
  const Ids expected = padded({});
  EXPECT_EQ(tiny().encode(""), expected);
  EXPECT_EQ(tiny().encode(" \t\n "), expected);
  EXPECT_EQ(expected.size(), 77u);
}

TEST(CLIPTokenizer, LongPromptIsTruncatedKeepingEosLast) {
  std::string prompt;
  for (int i = 0; i < 100; ++i)
    prompt += "cat ";
  EXPECT_EQ(tiny().token_ids(prompt).size(), 100u);
  const Ids ids = tiny().encode(prompt);
  ASSERT_EQ(ids.size(), 77u);
  EXPECT_EQ(ids.front(), kBos);
  EXPECT_EQ(Ids(ids.begin() + 1, ids.end() - 1), Ids(75, kCat));
  EXPECT_EQ(ids.back(), kEos);
  EXPECT_EQ(tiny().encode("a photo of a cat", 5), (Ids{kBos, kA, kPhotoWord, kOf, kEos}));
  EXPECT_EQ(tiny().encode("a cat", 6), (Ids{kBos, kA, kCat, kEos, kEos, kEos}));
  EXPECT_CONTAINS(error_of([] { tiny().encode("a", 1); }), "max_length must be at least 2");
}

TEST(CLIPTokenizer, PadTokenComesFromTheSpecialTokensMap) {
  TempFolder folder;
  write_tiny_clip_tokenizer(folder.path());
  write_file(folder.path() / "special_tokens_map.json", R"({"pad_token": "!"})");
  const CLIPTokenizer tokenizer = CLIPTokenizer::from_folder(folder.path());
  EXPECT_EQ(tokenizer.pad_token_id(), kBang);
  EXPECT_EQ(tokenizer.encode("cat", 5), (Ids{kBos, kCat, kEos, kBang, kBang}));
}

class CLIPTokenizerFiles : public ::testing::Test {
 protected:
  void SetUp() override { write_tiny_clip_tokenizer(folder.path()); }
  std::string load_error() {
    return error_of([&] { CLIPTokenizer::from_folder(folder.path()); });
  }
  TempFolder folder;
};

TEST_F(CLIPTokenizerFiles, VocabThatIsNotJson) {
  write_file(folder.path() / "vocab.json", "{\"a\": 1,");
  const std::string error = load_error();
  EXPECT_CONTAINS(error, "vocab.json");
  EXPECT_CONTAINS(error, "not valid JSON");
}

TEST_F(CLIPTokenizerFiles, VocabIdThatIsNotAnInteger) {
  write_file(folder.path() / "vocab.json", R"({"a": "one"})");
  const std::string error = load_error();
  EXPECT_CONTAINS(error, "vocab.json");
  EXPECT_CONTAINS(error, "the id of token \"a\" is not an integer");
}

TEST_F(CLIPTokenizerFiles, MissingMerges) {
  std::filesystem::remove(folder.path() / "merges.txt");
  EXPECT_CONTAINS(load_error(), "merges.txt");
}

TEST_F(CLIPTokenizerFiles, MergesWithoutVersionHeader) {
  write_file(folder.path() / "merges.txt", "c a\n");
  const std::string error = load_error();
  EXPECT_CONTAINS(error, "merges.txt line 1");
  EXPECT_CONTAINS(error, "#version");
}

TEST_F(CLIPTokenizerFiles, MergeLineWithoutSpace) {
  write_file(folder.path() / "merges.txt", "#version: 0.2\nc a\nca\n");
  const std::string error = load_error();
  EXPECT_CONTAINS(error, "merges.txt line 3");
  EXPECT_CONTAINS(error, "two symbols separated by one space, got \"ca\"");
}

TEST_F(CLIPTokenizerFiles, MergeMakingATokenMissingFromTheVocab) {
  write_file(folder.path() / "merges.txt", "#version: 0.2\nc a\nq z\n");
  const std::string error = load_error();
  EXPECT_CONTAINS(error, "merges.txt line 3");
  EXPECT_CONTAINS(error, "makes \"qz\", which is not in vocab.json");
}

TEST_F(CLIPTokenizerFiles, SpecialTokenMissingFromTheVocab) {
  write_file(folder.path() / "special_tokens_map.json", R"({"pad_token": {"content": "<pad>"}})");
  const std::string error = load_error();
  EXPECT_CONTAINS(error, folder.path().string());
  EXPECT_CONTAINS(error, "special token \"<pad>\" (pad_token)");
}

TEST_F(CLIPTokenizerFiles, SpecialTokenOfTheWrongType) {
  write_file(folder.path() / "tokenizer_config.json", R"({"eos_token": 7})");
  const std::string error = load_error();
  EXPECT_CONTAINS(error, "tokenizer_config.json");
  EXPECT_CONTAINS(error, "'eos_token' must be a string");
}

}  // namespace
}  // namespace spstudio::models
