// SPDX-License-Identifier: Apache-2.0
// Sharded checkpoints and open_weights: files, indexes and component folders.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "error_text.h"
#include "models/weights/safetensors_writer.h"
#include "models/weights/weight_source.h"
#include "models/weights/weights_error.h"
#include "weights_test_files.h"

namespace spstudio::models {
namespace {

using testing::error_of;
using testing::ScratchDir;
using testing::write_bytes;

/// Five float tensors of 4, 8, 12, 16 and 20 bytes, named so that sorting keeps this order.
NamedTensors five_tensors() {
  at::Generator gen = at::detail::createCPUGenerator(21);
  NamedTensors tensors;
  for (int i = 1; i <= 5; ++i)
    tensors.emplace_back("layer" + std::to_string(i) + ".weight", at::randn({i}, gen));
  return tensors;
}

TEST(ShardedSafetensors, SaveThenOpenFolderRoundTrips) {
  ScratchDir dir;
  const NamedTensors tensors = five_tensors();
  const auto index = save_sharded_safetensors(dir.path(), "diffusion_pytorch_model", tensors, /*max_shard_bytes=*/24);
  EXPECT_EQ(index, dir / "diffusion_pytorch_model.safetensors.index.json");

  // Greedy in name order under 24 bytes: {4, 8, 12}, {16}, {20}.
  const nlohmann::json written = nlohmann::json::parse(testing::read_bytes(index));
  const std::string shard1 = "diffusion_pytorch_model-00001-of-00003.safetensors";
  const std::string shard2 = "diffusion_pytorch_model-00002-of-00003.safetensors";
  const std::string shard3 = "diffusion_pytorch_model-00003-of-00003.safetensors";
  const nlohmann::json expected_index = {{"metadata", {{"total_size", 60}}},
                                         {"weight_map",
                                          {{"layer1.weight", shard1},
                                           {"layer2.weight", shard1},
                                           {"layer3.weight", shard1},
                                           {"layer4.weight", shard2},
                                           {"layer5.weight", shard3}}}};
  EXPECT_EQ(written, expected_index);
  for (const auto& shard : {shard1, shard2, shard3})
    EXPECT_TRUE(std::filesystem::exists(dir / shard)) << shard;

  const WeightSource source = open_weights(dir.path());
  EXPECT_EQ(source.path(), index);
  ASSERT_EQ(source.names().size(), tensors.size());
  for (const auto& [name, value] : tensors) {
    EXPECT_TRUE(source.contains(name));
    EXPECT_EQ(source.info(name).shape, value.sizes().vec()) << name;
    EXPECT_TRUE(source.tensor(name).equal(value)) << name;
    EXPECT_TRUE(source.load(name, at::kDouble).equal(value.to(at::kDouble))) << name;
  }
  EXPECT_EQ(source.describe(),
            "layer1.weight F32 [1]\nlayer2.weight F32 [2]\nlayer3.weight F32 [3]\nlayer4.weight F32 [4]\n"
            "layer5.weight F32 [5]\n");
}

TEST(ShardedSafetensors, OpensShardsLazilyAndNamesAMissingOne) {
  ScratchDir dir;
  const NamedTensors tensors = five_tensors();
  save_sharded_safetensors(dir.path(), "model", tensors, 24);
  std::filesystem::remove(dir / "model-00003-of-00003.safetensors");

  const WeightSource source = open_weights(dir.path());  // finds model.safetensors.index.json
  EXPECT_TRUE(source.tensor("layer1.weight").equal(tensors[0].second));
  EXPECT_EQ(error_of([&] { source.tensor("layer5.weight"); }),
            "shard '" + (dir / "model-00003-of-00003.safetensors").string() + "' named by sharded checkpoint index '" +
                (dir / "model.safetensors.index.json").string() + "' (for tensor 'layer5.weight') is missing");
  EXPECT_CONTAINS(error_of([&] { source.info("nope"); }), "': no tensor 'nope' in its weight_map");
}

TEST(ShardedSafetensors, ATensorTheShardLacksIsNamed) {
  ScratchDir dir;
  save_safetensors(dir / "part.safetensors", {{"a", at::zeros({1})}});
  write_bytes(dir / "x.safetensors.index.json",
              R"({"weight_map": {"a": "part.safetensors", "b": "part.safetensors", "c": "part.safetensors"}})");
  const WeightSource source = open_weights(dir / "x.safetensors.index.json");
  EXPECT_EQ(error_of([&] { source.tensor("a"); }),
            "shard '" + (dir / "part.safetensors").string() + "' lacks 2 tensor(s) that sharded checkpoint index '" +
                (dir / "x.safetensors.index.json").string() + "' assigns to it: 'b', 'c'");
}

TEST(ShardedSafetensors, BadIndexFilesAreNamed) {
  ScratchDir dir;
  const auto path = dir / "m.safetensors.index.json";
  const std::string where = "sharded checkpoint index '" + path.string() + "'";
  const auto error_opening = [&](const std::string& text) {
    write_bytes(path, text);
    return error_of([&] { open_weights(path); });
  };
  EXPECT_CONTAINS(error_opening("{"), where + " is not valid JSON");
  EXPECT_EQ(error_opening("[]"), where + " must be a JSON object, got array");
  EXPECT_EQ(error_opening(R"({"metadata": {}})"), where + " has no 'weight_map'");
  EXPECT_EQ(error_opening(R"({"weight_map": []})"), where + ": 'weight_map' must be an object, got array");
  EXPECT_EQ(error_opening(R"({"weight_map": {"a": 3}})"),
            where + ": 'weight_map' entry for tensor 'a' must be a file name string, got number");
  EXPECT_EQ(error_opening(R"({"weight_map": {"a": "../secret.safetensors"}})"),
            where + ": tensor 'a' maps to '../secret.safetensors', which is not a file name inside the index's folder");
  EXPECT_EQ(error_opening(R"({"weight_map": {"a": "/etc/passwd"}})"),
            where + ": tensor 'a' maps to '/etc/passwd', which is not a file name inside the index's folder");
}

TEST(OpenWeights, AcceptsAFileAnIndexOrAComponentFolder) {
  ScratchDir dir;
  std::filesystem::create_directories(dir / "text_encoder");
  save_safetensors(dir / "text_encoder" / "model.safetensors", {{"t", at::ones({2})}});
  const WeightSource folder = open_weights(dir / "text_encoder");
  EXPECT_EQ(folder.path(), dir / "text_encoder" / "model.safetensors");
  EXPECT_TRUE(folder.tensor("t").equal(at::ones({2})));

  const WeightSource file = open_weights(dir / "text_encoder" / "model.safetensors");
  EXPECT_EQ(file.names(), std::vector<std::string>{"t"});
  EXPECT_FALSE(file.contains("u"));
  EXPECT_CONTAINS(error_of([&] { file.info("u"); }), "tensor 'u': no such tensor in the file");
}

TEST(OpenWeights, PrefersTheDiffusersSingleFileInAFolder) {
  ScratchDir dir;
  save_sharded_safetensors(dir.path(), "diffusion_pytorch_model", {{"sharded", at::zeros({1})}}, 1000);
  save_safetensors(dir / "model.safetensors", {{"transformers", at::zeros({1})}});
  save_safetensors(dir / "diffusion_pytorch_model.safetensors", {{"single", at::zeros({1})}});
  EXPECT_EQ(open_weights(dir.path()).names(), std::vector<std::string>{"single"});
  std::filesystem::remove(dir / "diffusion_pytorch_model.safetensors");
  EXPECT_EQ(open_weights(dir.path()).names(), std::vector<std::string>{"sharded"});
}

TEST(OpenWeights, ExplainsWhatItTriedAndRefusesPickle) {
  ScratchDir dir;
  const std::string tried =
      "(tried diffusion_pytorch_model.safetensors, diffusion_pytorch_model.safetensors.index.json, "
      "model.safetensors, model.safetensors.index.json)";
  EXPECT_EQ(error_of([&] { open_weights(dir.path()); }), "no weights in folder '" + dir.path().string() + "' " + tried);

  write_bytes(dir / "pytorch_model.bin", "pickle");
  const std::string pickle = error_of([&] { open_weights(dir.path()); });
  EXPECT_CONTAINS(pickle, tried + "; it only has pytorch_model.bin: pickle checkpoints");
  EXPECT_CONTAINS(pickle, "are not supported");
  EXPECT_CONTAINS(pickle, "convert them to safetensors");
  EXPECT_CONTAINS(error_of([&] { open_weights(dir / "pytorch_model.bin"); }), "pickle checkpoints");

  save_safetensors(dir / "diffusion_pytorch_model.fp16.safetensors", {{"x", at::zeros({1})}});
  EXPECT_CONTAINS(error_of([&] { open_weights(dir.path()); }),
                  tried +
                      "; it has other safetensors files (diffusion_pytorch_model.fp16.safetensors): pass one of "
                      "them directly");
  EXPECT_EQ(error_of([&] { open_weights(dir / "absent"); }),
            "no such weights file or folder: '" + (dir / "absent").string() + "'");
  write_bytes(dir / "config.json", "{}");
  EXPECT_CONTAINS(error_of([&] { open_weights(dir / "config.json"); }),
                  "is neither a .safetensors file nor a *.safetensors.index.json");
}

}  // namespace
}  // namespace spstudio::models
