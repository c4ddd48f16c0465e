// SPDX-License-Identifier: Apache-2.0
// load_state_dict / state_dict_of: strict matching with one complete error, aliases, ignore
// patterns, dtype conversion.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/nn/module.h>

#include "error_text.h"
#include "models/weights/safetensors_writer.h"
#include "models/weights/state_dict_loading.h"
#include "models/weights/weight_source.h"
#include "models/weights/weights_error.h"
#include "weights_test_files.h"

namespace spstudio::models {
namespace {

using testing::error_of;
using testing::ScratchDir;

struct Proj : torch::nn::Module {
  Proj() {
    weight = register_parameter("weight", at::zeros({4, 3}));
    bias = register_parameter("bias", at::zeros({4}));
  }
  at::Tensor weight, bias;
};

struct Inner : torch::nn::Module {
  Inner() { register_module("proj", std::make_shared<Proj>()); }
};

/// scale [4], inner.proj.weight [4, 3], inner.proj.bias [4]; buffer position_ids [1, 5] (int64).
struct Net : torch::nn::Module {
  Net() {
    register_parameter("scale", at::zeros({4}));
    register_module("inner", std::make_shared<Inner>());
    register_buffer("position_ids", at::zeros({1, 5}, at::kLong));
  }
};

/// Values for every key of Net, as a checkpoint of dtype `dtype` would hold them.
NamedTensors checkpoint(at::ScalarType dtype, std::uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  return {{"scale", at::randn({4}, gen).to(dtype)},
          {"inner.proj.weight", at::randn({4, 3}, gen).to(dtype)},
          {"inner.proj.bias", at::randn({4}, gen).to(dtype)},
          {"position_ids", at::arange(5, at::kLong).view({1, 5})}};
}

/// The module's tensor under `key`, looked up by name (so the names are checked too).
at::Tensor value_of(const torch::nn::Module& module, const std::string& key) {
  for (const auto& [name, tensor] : state_dict_of(module)) {
    if (name == key) return tensor;
  }
  ADD_FAILURE() << "module has no " << key;
  return at::Tensor();
}

std::map<std::string, at::Tensor> snapshot(const torch::nn::Module& module) {
  std::map<std::string, at::Tensor> values;
  for (const auto& [name, tensor] : state_dict_of(module))
    values[name] = tensor.clone();
  return values;
}

WeightSource saved(const ScratchDir& dir, const NamedTensors& tensors) {
  save_safetensors(dir / "w.safetensors", tensors);
  return open_weights(dir / "w.safetensors");
}

TEST(StateDictOf, ListsParametersThenBuffersWithDottedNames) {
  Net net;
  std::vector<std::string> names;
  for (const auto& item : state_dict_of(net)) {
    names.push_back(item.first);
    EXPECT_FALSE(item.second.requires_grad()) << item.first;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"scale", "inner.proj.weight", "inner.proj.bias", "position_ids"}));
}

TEST(LoadStateDict, SaveThenLoadRestoresEveryValue) {
  ScratchDir dir;
  Net source_net, target;
  const NamedTensors values = checkpoint(at::kFloat, 1);
  load_state_dict(source_net, saved(dir, values));
  save_safetensors(dir / "net.safetensors", state_dict_of(source_net));

  const LoadReport report = load_state_dict(target, open_weights(dir / "net.safetensors"));
  EXPECT_EQ(report.loaded.size(), 4u);
  EXPECT_TRUE(report.missing.empty());
  EXPECT_TRUE(report.unexpected.empty());
  for (const auto& [key, expected] : values) {
    EXPECT_TRUE(value_of(target, key).to(at::kDouble).equal(expected.to(at::kDouble))) << key;
  }
  // Copied under NoGradGuard: the parameters stay trainable leaves.
  for (const auto& item : target.named_parameters())
    EXPECT_TRUE(item->requires_grad()) << item.key();
}

TEST(LoadStateDict, HalfAndBFloat16SourcesEqualTheirFloatConversion) {
  for (const at::ScalarType dtype : {at::kHalf, at::kBFloat16}) {
    ScratchDir dir;
    Net net;
    const NamedTensors values = checkpoint(dtype, 2);
    load_state_dict(net, saved(dir, values));
    for (const auto& [key, source] : values) {
      const at::Tensor loaded = value_of(net, key);
      EXPECT_EQ(loaded.scalar_type(), key == "position_ids" ? at::kLong : at::kFloat) << key;
      EXPECT_TRUE(loaded.to(at::kDouble).equal(source.to(at::kDouble))) << key;  // f16/bf16 -> f32 is exact
    }
  }
}

TEST(LoadStateDict, DoubleSourceIntoAHalfModuleRoundsLikeTo) {
  ScratchDir dir;
  Proj proj;
  proj.to(at::kHalf);
  at::Generator gen = at::detail::createCPUGenerator(3);
  const NamedTensors values = {{"weight", at::randn({4, 3}, gen, at::kDouble)},
                               {"bias", at::randn({4}, gen, at::kDouble)}};
  load_state_dict(proj, saved(dir, values));
  for (const auto& [key, source] : values) {
    EXPECT_EQ(value_of(proj, key).scalar_type(), at::kHalf) << key;
    EXPECT_TRUE(value_of(proj, key).equal(source.to(at::kHalf))) << key;
  }
}

TEST(LoadStateDict, StrictErrorListsMissingUnexpectedAndMisshapedKeysAtOnce) {
  ScratchDir dir;
  Net net;
  load_state_dict(net, saved(dir, checkpoint(at::kFloat, 4)));
  const auto before = snapshot(net);

  at::Generator gen = at::detail::createCPUGenerator(5);
  const NamedTensors bad = {{"scale", at::randn({5}, gen)},
                            {"inner.proj.weight", at::randn({3, 4}, gen)},
                            {"extra.weight", at::randn({2}, gen)},
                            {"lm_head.bias", at::randn({2}, gen)}};
  save_safetensors(dir / "bad.safetensors", bad);
  const std::string error = error_of([&] { load_state_dict(net, open_weights(dir / "bad.safetensors")); });
  EXPECT_EQ(error, "cannot load '" + (dir / "bad.safetensors").string() +
                       "' into the module:\n"
                       "  missing keys (in the module, not in the weights) (2):\n"
                       "    inner.proj.bias\n"
                       "    position_ids\n"
                       "  unexpected keys (in the weights, not in the module) (2):\n"
                       "    extra.weight\n"
                       "    lm_head.bias\n"
                       "  shape mismatches (2):\n"
                       "    scale: module [4], weights [5]\n"
                       "    inner.proj.weight: module [4, 3], weights [3, 4]");
  for (const auto& [key, value] : before)
    EXPECT_TRUE(value_of(net, key).equal(value)) << key << " changed";
}

TEST(LoadStateDict, LongListsAreCapped) {
  ScratchDir dir;
  NamedTensors values = checkpoint(at::kFloat, 6);
  for (int i = 0; i < 25; ++i)
    values.emplace_back("extra" + std::to_string(100 + i), at::zeros({1}));
  Net net;
  const std::string error = error_of([&] { load_state_dict(net, saved(dir, values)); });
  EXPECT_CONTAINS(error, "unexpected keys (in the weights, not in the module) (25):\n    extra100\n");
  EXPECT_CONTAINS(error, "    extra119\n    ... and 5 more");
  EXPECT_EQ(error.find("extra120"), std::string::npos) << error;
}

TEST(LoadStateDict, NonStrictReportsInsteadButShapesStillMatter) {
  ScratchDir dir;
  NamedTensors values = checkpoint(at::kFloat, 7);
  values.erase(values.begin());  // no scale
  values.emplace_back("extra", at::zeros({1}));
  Net net;
  const LoadReport report = load_state_dict(net, saved(dir, values), {/*strict=*/false});
  EXPECT_EQ(report.missing, std::vector<std::string>{"scale"});
  EXPECT_EQ(report.unexpected, std::vector<std::string>{"extra"});
  EXPECT_TRUE(value_of(net, "inner.proj.bias").equal(values[1].second));

  ScratchDir dir2;
  const std::string error = error_of([&] {
    load_state_dict(net, saved(dir2, {{"scale", at::zeros({2})}}), {/*strict=*/false});
  });
  EXPECT_CONTAINS(error, "shape mismatches (1):\n    scale: module [4], weights [2]");
}

struct Encoder : torch::nn::Module {
  struct Embedding : torch::nn::Module {
    Embedding() { register_parameter("weight", at::zeros({6, 4})); }
  };
  Encoder() { register_module("embed_tokens", std::make_shared<Embedding>()); }
};

/// T5's layout: the checkpoint stores the tied embedding once, as shared.weight.
struct T5Like : torch::nn::Module {
  T5Like() { register_module("encoder", std::make_shared<Encoder>()); }
};

TEST(LoadStateDict, AliasesFillAbsentKeysFromAnotherName) {
  ScratchDir dir;
  at::Generator gen = at::detail::createCPUGenerator(8);
  const at::Tensor shared = at::randn({6, 4}, gen);
  T5Like model;
  LoadOptions options;
  options.aliases = {{"encoder.embed_tokens.weight", "shared.weight"}};
  const LoadReport report = load_state_dict(model, saved(dir, {{"shared.weight", shared}}), options);
  EXPECT_TRUE(value_of(model, "encoder.embed_tokens.weight").equal(shared));
  EXPECT_EQ(report.aliased, std::vector<std::string>{"encoder.embed_tokens.weight <- shared.weight"});

  ScratchDir dir2;
  EXPECT_CONTAINS(error_of([&] {
                    load_state_dict(model, saved(dir2, {{"other", shared}}), options);
                  }),
                  "missing keys (in the module, not in the weights) (1):\n"
                  "    encoder.embed_tokens.weight (nor its alias shared.weight)\n"
                  "  unexpected keys (in the weights, not in the module) (1):\n    other");

  ScratchDir dir3;
  EXPECT_CONTAINS(error_of([&] {
                    load_state_dict(model, saved(dir3, {{"shared.weight", at::zeros({6, 5})}}), options);
                  }),
                  "shape mismatches (1):\n    encoder.embed_tokens.weight (from shared.weight): module [6, 4], "
                  "weights [6, 5]");
}

TEST(LoadStateDict, IgnorePatternsAreExactNamesOrTrailingStarPrefixes) {
  ScratchDir dir;
  NamedTensors values = checkpoint(at::kFloat, 9);
  values.erase(values.begin() + 3);  // no position_ids: the module keeps its own
  values.emplace_back("text_model.embeddings.position_ids", at::zeros({1, 5}, at::kLong));
  values.emplace_back("lm_head.weight", at::zeros({2}));
  values.emplace_back("lm_head.bias", at::zeros({2}));
  values.emplace_back("lm_headless", at::zeros({2}));
  Net net;
  LoadOptions options;
  options.ignore_unexpected = {"text_model.embeddings.position_ids", "lm_head.*"};
  options.ignore_missing = {"position_*"};
  const std::string error = error_of([&] { load_state_dict(net, saved(dir, values), options); });
  EXPECT_CONTAINS(error, "unexpected keys (in the weights, not in the module) (1):\n    lm_headless");
  EXPECT_EQ(error.find("missing"), std::string::npos) << error;

  options.ignore_unexpected.push_back("lm_headless");
  const LoadReport report = load_state_dict(net, open_weights(dir / "w.safetensors"), options);
  EXPECT_EQ(report.missing, std::vector<std::string>{"position_ids"});
  EXPECT_EQ(report.ignored_unexpected, (std::vector<std::string>{"lm_head.bias", "lm_head.weight", "lm_headless",
                                                                 "text_model.embeddings.position_ids"}));
  EXPECT_TRUE(value_of(net, "scale").equal(values[0].second));
}

TEST(LoadStateDict, FloatingAndNonFloatingDoNotMix) {
  ScratchDir dir;
  NamedTensors values = checkpoint(at::kFloat, 10);
  values[0].second = at::arange(4, at::kLong);       // scale as integers
  values[3].second = at::zeros({1, 5}, at::kFloat);  // position_ids as floats
  Net net;
  const std::string error = error_of([&] { load_state_dict(net, saved(dir, values)); });
  EXPECT_CONTAINS(error,
                  "dtype mismatches (2):\n"
                  "    scale: module Float, weights I64 (floating and non-floating do not convert)\n"
                  "    position_ids: module Long, weights F32 (floating and non-floating do not convert)");
}

TEST(LoadStateDict, UnsupportedSourceDtypeIsNamed) {
  ScratchDir dir;
  testing::write_bytes(dir / "f8.safetensors",
                       testing::raw_safetensors(R"({"scale":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}})",
                                                std::string(4, '\0')));
  Net net;
  const std::string error =
      error_of([&] { load_state_dict(net, open_weights(dir / "f8.safetensors"), {/*strict=*/false}); });
  EXPECT_CONTAINS(error, "dtype mismatches (1):\n    scale: unsupported dtype F8_E4M3 in the weights");
}

}  // namespace
}  // namespace spstudio::models
