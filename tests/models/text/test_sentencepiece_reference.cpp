// SPDX-License-Identifier: Apache-2.0
// The T5 tokenizer's own sentencepiece implementation against libsentencepiece itself, run in a
// separate process (spstudio_spm_reference): on the tiny model, and on a unigram model trained
// here with the nmt_nfkc rules (precompiled character map), a user-defined and a control symbol.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "error_text.h"
#include "models/text/proto_writer.h"
#include "models/text/sentencepiece_model.h"
#include "models/text/t5_tokenizer.h"
#include "models/text/tiny_tokenizers.h"
#include "text_test_support.h"

namespace spstudio::models {
namespace {

using testing::TempFolder;
using Ids = std::vector<std::int64_t>;

std::filesystem::path reference_tool() {
  return std::filesystem::read_symlink("/proc/self/exe").parent_path() / "spstudio_spm_reference";
}

std::string quoted(const std::filesystem::path& path) {
  return "'" + path.string() + "'";
}

/// Runs the reference tool; returns its stdout, or fails the test when it exits non-zero.
std::string run_reference(const std::string& arguments) {
  const std::string command = quoted(reference_tool()) + " " + arguments + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  std::string output;
  char buffer[4096];
  while (const std::size_t n = fread(buffer, 1, sizeof buffer, pipe))
    output.append(buffer, n);
  const int status = pclose(pipe);
  if (status != 0) throw std::runtime_error(command + " failed with status " + std::to_string(status));
  return output;
}

/// libsentencepiece's ids of each prompt.
std::vector<Ids> reference_ids(const std::filesystem::path& model, const std::vector<std::string>& prompts,
                               const std::filesystem::path& scratch) {
  const std::filesystem::path input = scratch / "prompts.bin";
  {
    std::ofstream out(input, std::ios::binary);
    for (const std::string& prompt : prompts)
      out << prompt << '\0';
  }
  std::istringstream lines(run_reference("encode " + quoted(model) + " " + quoted(input)));
  std::vector<Ids> result;
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream numbers(line);
    Ids ids;
    std::int64_t id = 0;
    while (numbers >> id)
      ids.push_back(id);
    result.push_back(ids);
  }
  return result;
}

const std::vector<std::string>& prompts() {
  static const std::vector<std::string> list = {
      "a photo of a cat",
      "A Photo of a Cat",
      "   a    cat  ",
      "the cat, the dog!",
      "2 cats 42 and 3.14159",
      "café naïve résumé",
      "日本語 and 日本",
      "a 😀 b 😀😀",
      "",
      "   ",
      "tab\tand\nnewline\r\nend",
      "ﬁne ＡＢＣ ① ½ ｶﾞ",
      "e\xCC\x81 decomposed",
      "Ω ω ß ẞ",
      "bad \xFF\xFE bytes \xC3",
      "[img] a [img]photo",
      "<c> control </s> text <pad>",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "A lighthouse on a rocky coast at sunset, oil painting, dramatic clouds, 4k, highly detailed.",
      "karomi tensharlo vequin torneblest erondraly kakaka shsh lylyly pistol",
      "Karomi TENSH arlove quintor",
  };
  return list;
}

void expect_same_ids(const T5Tokenizer& tokenizer, const std::filesystem::path& model,
                     const std::filesystem::path& scratch) {
  const std::vector<Ids> expected = reference_ids(model, prompts(), scratch);
  ASSERT_EQ(expected.size(), prompts().size());
  for (std::size_t i = 0; i < prompts().size(); ++i) {
    EXPECT_EQ(tokenizer.token_ids(prompts()[i]), expected[i]) << "prompt \"" << prompts()[i] << "\"";
  }
}

TEST(SentencePieceReference, TinyModelMatchesLibsentencepiece) {
  TempFolder folder;
  write_tiny_t5_tokenizer(folder.path());
  expect_same_ids(T5Tokenizer::from_folder(folder.path()), folder.path() / "spiece.model", folder.path());
}

TEST(SentencePieceReference, EqualScoresTieLikeLibsentencepiece) {
  // "▁ab" (-2) and "▁a" + "b" (-1 + -1) tie, as do "abab" and "ab" + "ab" and others: which one
  // wins is the Viterbi's tie-breaking, compared here with libsentencepiece's.
  ProtoWriter model;
  const std::vector<std::pair<std::string, float>> pieces = {{"<pad>", 0},
                                                             {"</s>", 0},
                                                             {"<unk>", 0},
                                                             {"\xE2\x96\x81", -1},
                                                             {"a", -1},
                                                             {"b", -1},
                                                             {"ab", -2},
                                                             {"ba", -2},
                                                             {"\xE2\x96\x81"
                                                              "a",
                                                              -1},
                                                             {"\xE2\x96\x81"
                                                              "ab",
                                                              -2},
                                                             {"abab", -4},
                                                             {"bab", -3}};
  for (std::size_t id = 0; id < pieces.size(); ++id) {
    ProtoWriter piece;
    piece.bytes_field(1, pieces[id].first);
    piece.float_field(2, pieces[id].second);
    piece.int32_field(3, id == 2 ? 2 : id < 2 ? 3 : 1);  // unknown, control, normal
    model.message_field(1, piece);
  }
  ProtoWriter trainer;
  for (const auto& [field, value] : std::vector<std::pair<int, int>>{{3, 1}, {40, 2}, {41, -1}, {42, 1}, {43, 0}}) {
    trainer.int32_field(field, value);
  }
  model.message_field(2, trainer);
  ProtoWriter normalizer;
  normalizer.bytes_field(1, "identity");
  model.message_field(3, normalizer);
  TempFolder folder;
  std::ofstream(folder.path() / "spiece.model", std::ios::binary) << model.bytes();

  const std::vector<std::string> texts = {"ab", "abab", "ba", "bab", "a b ab", "ababab", "babab", "aab", "abba"};
  const std::vector<Ids> expected = reference_ids(folder.path() / "spiece.model", texts, folder.path());
  ASSERT_EQ(expected.size(), texts.size());
  const T5Tokenizer tokenizer = T5Tokenizer::from_folder(folder.path());
  for (std::size_t i = 0; i < texts.size(); ++i)
    EXPECT_EQ(tokenizer.token_ids(texts[i]), expected[i]) << texts[i];
}

// A corpus from a fixed LCG: real words with mixed case, digits, punctuation, accents and a few
// CJK words, and pseudo-words of random syllables so that the model learns sub-word pieces whose
// segmentations compete.
std::string training_corpus() {
  const std::vector<std::string> words = {
      "a",        "the",   "photo",    "of",        "cat",   "dog",   "on",     "in",       "red",    "and",
      "sky",      "blue",  "with",     "is",        "green", "tree",  "sun",    "painting", "castle", "river",
      "Mountain", "City",  "night",    "light",     "café",  "naïve", "résumé", "日本語",   "写真",   "猫",
      "42",       "2024",  "3.5",      "!",         ",",     ".",     "?",      "(big)",    "over",   "under",
      "portrait", "style", "detailed", "Cinematic", "cats",  "dogs",  "photos", "[img]",    "<c>"};
  const std::vector<std::string> syllables = {"ka",  "ro", "mi", "ten", "sh", "ar", "lo", "ve", "qu",  "in",
                                              "tor", "ne", "sa", "ble", "st", "er", "on", "pi", "dra", "ly"};
  std::uint64_t state = 12345;
  auto next = [&](std::uint64_t n) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (state >> 33) % n;
  };
  std::string corpus;
  for (int line = 0; line < 1500; ++line) {
    for (int w = 0; w < 9; ++w) {
      if (next(2) == 0) {
        corpus += words[next(words.size())];
      } else {
        for (std::uint64_t k = 0, n = 1 + next(4); k < n; ++k)
          corpus += syllables[next(syllables.size())];
      }
      corpus += w == 8 ? "\n" : " ";
    }
  }
  return corpus;
}

TEST(SentencePieceReference, TrainedNfkcModelMatchesLibsentencepiece) {
  TempFolder folder;
  const std::filesystem::path corpus = folder.path() / "corpus.txt";
  std::ofstream(corpus, std::ios::binary) << training_corpus();
  const std::filesystem::path prefix = folder.path() / "nfkc";
  run_reference("train --input=" + quoted(corpus) + " --model_prefix=" + quoted(prefix) +
                " --model_type=unigram --vocab_size=400 --hard_vocab_limit=false --character_coverage=1.0"
                " --normalization_rule_name=nmt_nfkc --pad_id=0 --eos_id=1 --unk_id=2 --bos_id=-1"
                " '--user_defined_symbols=[img]' '--control_symbols=<c>' --num_threads=1");
  const std::filesystem::path model_file = folder.path() / "nfkc.model";
  const SentencePieceModel model = SentencePieceModel::load(model_file);
  ASSERT_FALSE(model.precompiled_charsmap.empty()) << "the character-map path would go untested";
  const T5Tokenizer tokenizer = T5Tokenizer::from_file(model_file);
  expect_same_ids(tokenizer, model_file, folder.path());
  // The rules really ran: NFKC folds the ligature and the full-width letters.
  EXPECT_EQ(tokenizer.token_ids("ﬁne ＡＢＣ"), tokenizer.token_ids("fine ABC"));
}

}  // namespace
}  // namespace spstudio::models
