// SPDX-License-Identifier: Apache-2.0
// PNG files with text chunks: pixels and texts survive a round trip, the chunk type follows the
// text (tEXt for Latin-1, iTXt otherwise), the metadata chunks have A1111's and our format, and
// broken files give errors naming the file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "app/png/png_file.h"
#include "app/png/png_metadata.h"
#include "png_chunks.h"
#include "support/error_text.h"

namespace spstudio::png {
namespace {

namespace fs = std::filesystem;
using testing::chunk_keyword;
using testing::chunk_text;
using testing::error_of;
using testing::raw_png_chunks;

class PngTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("spstudio_png_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  static RgbPng gradient(std::uint32_t width, std::uint32_t height) {
    RgbPng image;
    image.width = width;
    image.height = height;
    for (std::uint32_t y = 0; y < height; ++y)
      for (std::uint32_t x = 0; x < width; ++x)
        for (std::uint32_t c = 0; c < 3; ++c)
          image.rgb.push_back(static_cast<std::uint8_t>((x * 7 + y * 13 + c * 101) % 256));
    return image;
  }

  fs::path dir_;
};

TEST_F(PngTest, PixelsAndTextsSurviveARoundTrip) {
  RgbPng image = gradient(19, 7);
  image.texts = {{"parameters", "a cat\nSteps: 4", TextChunkType::Text},
                 {"Comment", "caf\xc3\xa9 na\xc3\xafve", TextChunkType::Text},          // Latin-1 representable
                 {"spstudio", "{\"prompt\": \"\xe7\x8c\xab\"}", TextChunkType::Text}};  // 猫: needs iTXt
  write_png(path("a.png"), image);
  const RgbPng back = read_png(path("a.png"));
  EXPECT_EQ(back.width, 19u);
  EXPECT_EQ(back.height, 7u);
  EXPECT_EQ(back.rgb, image.rgb);
  ASSERT_EQ(back.texts.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(back.texts[i].keyword, image.texts[i].keyword);
    EXPECT_EQ(back.texts[i].text, image.texts[i].text);
  }
  EXPECT_EQ(back.texts[0].type, TextChunkType::Text);
  EXPECT_EQ(back.texts[1].type, TextChunkType::Text);
  EXPECT_EQ(back.texts[2].type, TextChunkType::InternationalText);
  EXPECT_EQ(*back.text("Comment"), "caf\xc3\xa9 na\xc3\xafve");
  EXPECT_FALSE(back.text("missing").has_value());
}

TEST_F(PngTest, LatinOneTextIsStoredAsLatinOneBytesInTEXt) {
  RgbPng image = gradient(2, 2);
  image.texts = {{"parameters", "caf\xc3\xa9", TextChunkType::Text},
                 {"forced", "plain", TextChunkType::InternationalText},
                 {"wide", "\xe2\x82\xac 5", TextChunkType::Text}};  // € is not Latin-1
  write_png(path("b.png"), image);
  std::vector<testing::RawChunk> texts;
  for (const auto& chunk : raw_png_chunks(path("b.png")))
    if (chunk.type == "tEXt" || chunk.type == "iTXt") texts.push_back(chunk);
  ASSERT_EQ(texts.size(), 3u);
  EXPECT_EQ(texts[0].type, "tEXt");
  EXPECT_EQ(chunk_keyword(texts[0]), "parameters");
  EXPECT_EQ(chunk_text(texts[0]), "caf\xe9");  // one Latin-1 byte for é
  EXPECT_EQ(texts[1].type, "iTXt");
  EXPECT_EQ(chunk_text(texts[1]), "plain");
  EXPECT_EQ(texts[2].type, "iTXt");
  EXPECT_EQ(chunk_text(texts[2]), "\xe2\x82\xac 5");
}

TEST(PngLatin1, ConvertsOnlyWhatLatinOneCanHold) {
  EXPECT_EQ(*utf8_to_latin1("abc \xc2\xa0\xc3\xbf"), "abc \xa0\xff");
  EXPECT_FALSE(utf8_to_latin1("\xc4\x80").has_value());  // U+0100
  EXPECT_FALSE(utf8_to_latin1("\xc3").has_value());      // truncated sequence
  EXPECT_EQ(latin1_to_utf8("\xe9\x41"), "\xc3\xa9\x41");
}

TEST_F(PngTest, WriteErrorsNameThePathAndTheProblem) {
  RgbPng image = gradient(4, 4);
  image.rgb.pop_back();
  EXPECT_CONTAINS(error_of([&] { write_png(path("c.png"), image); }), path("c.png"));
  EXPECT_CONTAINS(error_of([&] { write_png(path("c.png"), image); }), "47 pixel bytes for a 4x4 RGB image");
  image = gradient(4, 4);
  image.texts = {{"", "x", TextChunkType::Text}};
  EXPECT_CONTAINS(error_of([&] { write_png(path("c.png"), image); }), "keyword");
  image.texts = {};
  EXPECT_CONTAINS(error_of([&] { write_png(path("missing/c.png"), image); }), path("missing/c.png"));
  EXPECT_FALSE(fs::exists(path("c.png")));
  // Nothing but the written file is left in the folder (no temporary files).
  write_png(path("c.png"), image);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(PngTest, ReadErrorsNameThePath) {
  EXPECT_CONTAINS(error_of([&] { read_png(path("none.png")); }), path("none.png"));
  std::ofstream(path("text.png")) << "not a png";
  EXPECT_CONTAINS(error_of([&] { read_png(path("text.png")); }), "not a PNG file");
  // A valid file cut in half: libpng's complaint, with the path.
  RgbPng image = gradient(64, 64);
  const auto bytes = encode_png(image);
  std::ofstream(path("cut.png"), std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size() / 2));
  const std::string error = error_of([&] { read_png(path("cut.png")); });
  EXPECT_CONTAINS(error, path("cut.png"));
  EXPECT_CONTAINS(error, "truncated");
}

GenerationMetadata example_metadata() {
  GenerationMetadata m;
  m.model = "builtin:tiny-flux";
  m.prompt = "a lighthouse";
  m.negative_prompt = "blurry";
  m.seed = 42;
  m.steps = 4;
  m.guidance = 3.5;
  m.height = 256;
  m.width = 128;
  m.plan_json = R"({"format": "spstudio-plan/1", "entries": {}})";
  m.ulysses_degree = 2;
  m.ring_degree = 2;
  m.world_size = 4;
  m.devices = {"cpu", "cpu", "cpu", "cpu"};
  m.backend = "gloo";
  m.step_ms = {110.5, 112.25};
  m.encode_ms = 12;
  m.decode_ms = 30;
  return m;
}

TEST(PngMetadata, ParametersFollowAutomatic1111) {
  GenerationMetadata m = example_metadata();
  EXPECT_EQ(a1111_parameters(m),
            "a lighthouse\nNegative prompt: blurry\nSteps: 4, Sampler: Euler (flow match), CFG scale: 1, "
            "Guidance: 3.5, Seed: 42, Size: 128x256, Model: builtin:tiny-flux, Ulysses degree: 2, Ring degree: 2");
  m.negative_prompt.clear();
  m.cfg_scale = 4.5;
  EXPECT_EQ(a1111_parameters(m).find("Negative prompt"), std::string::npos);
  EXPECT_EQ(a1111_parameters(m).rfind("a lighthouse\nSteps: 4, ", 0), 0u) << a1111_parameters(m);
  EXPECT_CONTAINS(a1111_parameters(m), "CFG scale: 4.5");
}

TEST(PngMetadata, SpstudioJsonRoundTripsAndEmbedsThePlanAsAnObject) {
  const GenerationMetadata m = example_metadata();
  const auto json = nlohmann::json::parse(spstudio_metadata_json(m));
  EXPECT_EQ(json["format"], "spstudio-image/1");
  EXPECT_TRUE(json["plan"].is_object());
  EXPECT_EQ(json["plan"]["format"], "spstudio-plan/1");
  EXPECT_EQ(json["world_size"], 4);
  EXPECT_EQ(json["timings"]["step_ms"][1], 112.25);
  const GenerationMetadata back = parse_spstudio_metadata_json(spstudio_metadata_json(m));
  EXPECT_EQ(back.prompt, m.prompt);
  EXPECT_EQ(back.seed, m.seed);
  EXPECT_EQ(back.devices, m.devices);
  EXPECT_EQ(back.backend, "gloo");
  EXPECT_EQ(back.step_ms, m.step_ms);
  EXPECT_EQ(nlohmann::json::parse(back.plan_json), nlohmann::json::parse(m.plan_json));
  EXPECT_CONTAINS(error_of([] { parse_spstudio_metadata_json(R"({"format": "spstudio-image/1"})"); }), "\"model\"");
  GenerationMetadata bad = m;
  bad.plan_json = "{oops";
  EXPECT_CONTAINS(error_of([&] { spstudio_metadata_json(bad); }), "plan");
}

TEST_F(PngTest, GenerationPngCarriesBothChunks) {
  GenerationMetadata m = example_metadata();
  m.prompt = "\xe7\x8c\xab";  // the prompt is not Latin-1: parameters becomes iTXt
  const RgbPng image = gradient(128, 256);
  write_generation_png(path("g.png"), 128, 256, image.rgb, m);
  const auto back = read_png(path("g.png"));
  EXPECT_EQ(back.rgb, image.rgb);
  ASSERT_TRUE(back.text("parameters"));
  EXPECT_EQ(*back.text("parameters"), a1111_parameters(m));
  ASSERT_TRUE(back.text("spstudio"));
  EXPECT_EQ(parse_spstudio_metadata_json(*back.text("spstudio")).prompt, m.prompt);
  for (const auto& chunk : back.texts)
    EXPECT_EQ(chunk.type, TextChunkType::InternationalText) << chunk.keyword;
}

}  // namespace
}  // namespace spstudio::png
