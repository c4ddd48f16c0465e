// SPDX-License-Identifier: Apache-2.0
// The Flux pipeline on builtin:tiny-flux: generation and its step callback, the diffusers folder
// written by save_tiny_flux_folder loading back bit-identically, and clear errors for broken
// folders.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "error_text.h"
#include "models/flux/pipeline_folder.h"
#include "models/vae/flux_latents.h"

namespace spstudio::models::flux {
namespace {

namespace fs = std::filesystem;

GenerationRequest small_request() {
  GenerationRequest r;
  r.prompt = "a photo of a cat";
  r.height = 64;
  r.width = 48;
  r.steps = 3;
  r.seed = 11;
  r.max_sequence_length = 16;
  return r;
}

bool same(const at::Tensor& a, const at::Tensor& b) {
  return a.sizes() == b.sizes() && a.equal(b);
}

/// A fresh folder under the test temp dir, removed afterwards.
class FolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    folder_ = fs::temp_directory_path() / ("spstudio-flux-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(folder_);
    save_tiny_flux_folder(folder_, 3);
  }
  void TearDown() override { fs::remove_all(folder_); }
  std::string load_error() {
    return testing::error_of([&] { load_flux_pipeline(folder_.string()); });
  }
  fs::path folder_;
};

TEST(FluxPipeline, GeneratesWithOneCallbackPerStep) {
  FluxPipeline pipeline = make_tiny_flux(3);
  std::vector<StepEvent> events;
  const GenerationResult result = pipeline.generate(small_request(), [&](const StepEvent& e) {
    events.push_back(e);
    return true;
  });
  ASSERT_EQ(result.image.sizes(), at::IntArrayRef({64, 48, 3}));
  EXPECT_EQ(result.image.scalar_type(), at::kByte);
  EXPECT_EQ(result.latents.sizes(), at::IntArrayRef({1, 16, 8, 6}));
  EXPECT_EQ(result.step_ms.size(), 3u);
  ASSERT_EQ(events.size(), 3u);
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].step, static_cast<std::int64_t>(i) + 1);
    EXPECT_EQ(events[i].x0_tokens.sizes(), at::IntArrayRef({1, 12, 64}));
    EXPECT_EQ(events[i].grid_h, 4);
    EXPECT_EQ(events[i].grid_w, 3);
    EXPECT_EQ(events[i].shard_begin, 0);
    EXPECT_EQ(events[i].shard_end, 12);
  }
  EXPECT_GT(events[0].sigma, events[2].sigma);
  // The last step lands on σ = 0, so its x0 prediction is the final latent.
  const at::Tensor last_x0 = unpack_latents(events.back().x0_tokens, 8, 6);
  EXPECT_LE((last_x0 - result.latents).abs().max().item<double>(), 1e-5);
  // Earlier predictions differ from the result (the denoising moves).
  EXPECT_GT((unpack_latents(events.front().x0_tokens, 8, 6) - result.latents).abs().max().item<double>(), 1e-3);
}

TEST(FluxPipeline, SeedPromptAndGuidanceDetermineTheResult) {
  FluxPipeline pipeline = make_tiny_flux(3);
  GenerationRequest r = small_request();
  r.decode = false;
  const at::Tensor base = pipeline.generate(r).latents;
  EXPECT_TRUE(same(pipeline.generate(r).latents, base));
  for (auto change : std::vector<std::function<void(GenerationRequest&)>>{
           [](GenerationRequest& q) { q.seed = 12; }, [](GenerationRequest& q) { q.prompt = "a red car"; },
           [](GenerationRequest& q) { q.guidance_scale = 7.0; },
           [](GenerationRequest& q) {
             q.negative_prompt = "blurry";
             q.true_cfg_scale = 2.0;
           }}) {
    GenerationRequest q = r;
    change(q);
    EXPECT_FALSE(same(pipeline.generate(q).latents, base));
  }
}

TEST(FluxPipeline, CancelAndBadSizesAreClearErrors) {
  FluxPipeline pipeline = make_tiny_flux(3);
  int calls = 0;
  EXPECT_THROW(pipeline.generate(small_request(), [&](const StepEvent&) { return ++calls < 2; }), GenerationCancelled);
  EXPECT_EQ(calls, 2);
  GenerationRequest r = small_request();
  r.width = 50;
  EXPECT_CONTAINS(testing::error_of([&] { pipeline.generate(r); }), "48");
  EXPECT_CONTAINS(testing::error_of([] { load_flux_pipeline("builtin:tiny-sd3"); }),
                  "unknown builtin model 'builtin:tiny-sd3' (available: builtin:tiny-flux)");
}

TEST_F(FolderTest, WrittenFolderLoadsBackBitIdentical) {
  for (const char* file :
       {"model_index.json", "transformer/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors",
        "text_encoder_2/model.safetensors.index.json", "vae/diffusion_pytorch_model.safetensors",
        "tokenizer/vocab.json", "tokenizer/merges.txt", "tokenizer_2/spiece.model", "scheduler/scheduler_config.json"})
    EXPECT_TRUE(fs::exists(folder_ / file)) << file;
  FluxPipeline loaded = load_flux_pipeline(folder_.string());
  FluxPipeline builtin = make_tiny_flux(3);
  const GenerationResult a = loaded.generate(small_request()), b = builtin.generate(small_request());
  EXPECT_TRUE(same(a.latents, b.latents));
  EXPECT_TRUE(same(a.image, b.image));
  // Different seeds are different weights.
  EXPECT_FALSE(same(make_tiny_flux(4).generate(small_request()).latents, b.latents));
}

TEST_F(FolderTest, TruncatedWeightsNameTheComponentAndFile) {
  const fs::path file = folder_ / "transformer" / "diffusion_pytorch_model.safetensors";
  fs::resize_file(file, fs::file_size(file) - 100);
  const std::string error = load_error();
  EXPECT_CONTAINS(error, "transformer: ");
  EXPECT_CONTAINS(error, "diffusion_pytorch_model.safetensors");
  EXPECT_CONTAINS(error, "truncated");
}

TEST_F(FolderTest, MissingShardIsNamed) {
  std::vector<std::string> shards;
  for (const auto& entry : fs::directory_iterator(folder_ / "text_encoder_2"))
    if (entry.path().extension() == ".safetensors") shards.push_back(entry.path().filename().string());
  std::sort(shards.begin(), shards.end());
  ASSERT_GE(shards.size(), 2u);  // written sharded, like FLUX.1's text_encoder_2
  fs::remove(folder_ / "text_encoder_2" / shards.back());
  const std::string error = load_error();
  EXPECT_CONTAINS(error, "text_encoder_2: ");
  EXPECT_CONTAINS(error, shards.back());
}

TEST_F(FolderTest, ConfigThatDoesNotMatchTheWeightsListsTheKeys) {
  std::ifstream in(folder_ / "transformer" / "config.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  const std::string from = "\"num_layers\": 2", to = "\"num_layers\": 3";
  ASSERT_NE(text.find(from), std::string::npos);
  text.replace(text.find(from), from.size(), to);
  std::ofstream(folder_ / "transformer" / "config.json") << text;
  const std::string error = load_error();
  EXPECT_CONTAINS(error, "transformer: ");
  EXPECT_CONTAINS(error, "missing");
  EXPECT_CONTAINS(error, "transformer_blocks.2.attn.to_q.weight");
}

TEST_F(FolderTest, BrokenConfigAndMissingTokenizerFilesAreNamed) {
  std::ofstream(folder_ / "vae" / "config.json") << "{ \"latent_channels\": 16,";
  EXPECT_CONTAINS(load_error(), "vae/config.json: not valid JSON");
  save_tiny_flux_folder(folder_, 3);
  fs::remove(folder_ / "tokenizer" / "merges.txt");
  EXPECT_CONTAINS(load_error(), "merges.txt");
  save_tiny_flux_folder(folder_, 3);
  std::ofstream(folder_ / "model_index.json") << R"({"_class_name": "StableDiffusion3Pipeline"})";
  EXPECT_CONTAINS(load_error(), "is for StableDiffusion3Pipeline, expected FluxPipeline");
}

}  // namespace
}  // namespace spstudio::models::flux
