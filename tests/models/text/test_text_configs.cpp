// SPDX-License-Identifier: Apache-2.0
// CLIPTextConfig and T5Config from config.json: transformers' defaults, real Flux configs, errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "error_text.h"
#include "models/text/clip_text_config.h"
#include "models/text/t5_config.h"

namespace spstudio::models {
namespace {

using testing::error_of;

TEST(CLIPTextConfig, DefaultsAreTransformers) {
  const CLIPTextConfig c = CLIPTextConfig::from_json(nlohmann::json::object());
  EXPECT_EQ(c.vocab_size, 49408);
  EXPECT_EQ(c.hidden_size, 512);
  EXPECT_EQ(c.intermediate_size, 2048);
  EXPECT_EQ(c.num_hidden_layers, 12);
  EXPECT_EQ(c.num_attention_heads, 8);
  EXPECT_EQ(c.max_position_embeddings, 77);
  EXPECT_EQ(c.hidden_act, "quick_gelu");
  EXPECT_DOUBLE_EQ(c.layer_norm_eps, 1e-5);
  EXPECT_EQ(c.pad_token_id, 1);
  EXPECT_EQ(c.bos_token_id, 49406);
  EXPECT_EQ(c.eos_token_id, 49407);
}

TEST(CLIPTextConfig, ReadsFluxTextEncoderConfig) {
  // FLUX.1's text_encoder/config.json (CLIP ViT-L/14 text tower), abridged.
  const auto json = nlohmann::json::parse(R"({
    "architectures": ["CLIPTextModel"], "attention_dropout": 0.0, "bos_token_id": 0, "dropout": 0.0,
    "eos_token_id": 2, "hidden_act": "quick_gelu", "hidden_size": 768, "initializer_factor": 1.0,
    "intermediate_size": 3072, "layer_norm_eps": 1e-05, "max_position_embeddings": 77,
    "model_type": "clip_text_model", "num_attention_heads": 12, "num_hidden_layers": 12,
    "pad_token_id": 1, "projection_dim": 768, "torch_dtype": "bfloat16", "vocab_size": 49408})");
  const CLIPTextConfig c = CLIPTextConfig::from_json(json);
  EXPECT_EQ(c.hidden_size, 768);
  EXPECT_EQ(c.intermediate_size, 3072);
  EXPECT_EQ(c.num_attention_heads, 12);
  EXPECT_EQ(c.head_dim(), 64);
  EXPECT_EQ(c.eos_token_id, 2);
  EXPECT_EQ(c.bos_token_id, 0);
  EXPECT_EQ(c.activation(), Activation::kQuickGelu);
}

TEST(CLIPTextConfig, ReadsTheTextConfigOfAFullCLIPConfig) {
  const auto json = nlohmann::json::parse(R"({"text_config": {"hidden_size": 64, "num_attention_heads": 4},
                                              "vision_config": {"hidden_size": 1024}})");
  EXPECT_EQ(CLIPTextConfig::from_json(json).hidden_size, 64);
}

TEST(CLIPTextConfig, NullKeepsTheDefault) {
  EXPECT_EQ(CLIPTextConfig::from_json(nlohmann::json::parse(R"({"pad_token_id": null})")).pad_token_id, 1);
}

TEST(CLIPTextConfig, Errors) {
  const auto error = [](const char* text) {
    return error_of([&] { CLIPTextConfig::from_json(nlohmann::json::parse(text)); });
  };
  EXPECT_CONTAINS(error(R"({"hidden_size": "768"})"), "CLIPTextConfig: 'hidden_size' must be an integer, got string");
  EXPECT_CONTAINS(error(R"({"hidden_size": 768.5})"), "'hidden_size' must be an integer");
  EXPECT_CONTAINS(error(R"({"layer_norm_eps": "small"})"), "'layer_norm_eps' must be a number");
  EXPECT_CONTAINS(error(R"({"hidden_act": 3})"), "'hidden_act' must be a string");
  EXPECT_CONTAINS(error(R"({"hidden_act": "tanh"})"), "unsupported 'hidden_act' \"tanh\"");
  EXPECT_CONTAINS(error(R"({"hidden_size": 100, "num_attention_heads": 8})"),
                  "'hidden_size' 100 is not divisible by 'num_attention_heads' 8");
  EXPECT_CONTAINS(error(R"({"num_hidden_layers": 0})"), "'num_hidden_layers' must be positive");
  EXPECT_CONTAINS(error("[1, 2]"), "must be a JSON object");
}

TEST(T5Config, DefaultsAreTransformers) {
  const T5Config c = T5Config::from_json(nlohmann::json::object());
  EXPECT_EQ(c.vocab_size, 32128);
  EXPECT_EQ(c.d_model, 512);
  EXPECT_EQ(c.d_kv, 64);
  EXPECT_EQ(c.d_ff, 2048);
  EXPECT_EQ(c.num_layers, 6);
  EXPECT_EQ(c.num_heads, 8);
  EXPECT_EQ(c.relative_attention_num_buckets, 32);
  EXPECT_EQ(c.relative_attention_max_distance, 128);
  EXPECT_DOUBLE_EQ(c.layer_norm_epsilon, 1e-6);
  EXPECT_EQ(c.feed_forward_proj, "relu");
  EXPECT_FALSE(c.is_gated_act());
  EXPECT_EQ(c.dense_activation(), Activation::kRelu);
}

TEST(T5Config, ReadsFluxTextEncoder2Config) {
  // FLUX.1's text_encoder_2/config.json (T5 v1.1 XXL encoder), abridged.
  const auto json = nlohmann::json::parse(R"({
    "architectures": ["T5EncoderModel"], "d_ff": 10240, "d_kv": 64, "d_model": 4096, "decoder_start_token_id": 0,
    "dense_act_fn": "gelu_new", "dropout_rate": 0.1, "eos_token_id": 1, "feed_forward_proj": "gated-gelu",
    "initializer_factor": 1.0, "is_encoder_decoder": true, "is_gated_act": true, "layer_norm_epsilon": 1e-06,
    "model_type": "t5", "num_decoder_layers": 24, "num_heads": 64, "num_layers": 24, "output_past": true,
    "pad_token_id": 0, "relative_attention_max_distance": 128, "relative_attention_num_buckets": 32,
    "tie_word_embeddings": false, "torch_dtype": "bfloat16", "vocab_size": 32128})");
  const T5Config c = T5Config::from_json(json);
  EXPECT_EQ(c.d_model, 4096);
  EXPECT_EQ(c.d_ff, 10240);
  EXPECT_EQ(c.num_heads, 64);
  EXPECT_EQ(c.num_layers, 24);
  EXPECT_EQ(c.inner_dim(), 4096);
  EXPECT_TRUE(c.is_gated_act());
  EXPECT_EQ(c.dense_activation(), Activation::kGeluNew);  // gated-gelu means the tanh approximation
}

TEST(T5Config, FeedForwardVariants) {
  const auto parse = [](const char* proj) { return T5Config::from_json({{"feed_forward_proj", proj}}); };
  EXPECT_EQ(parse("gelu").dense_activation(), Activation::kGelu);  // not gated: exact gelu
  EXPECT_FALSE(parse("gelu").is_gated_act());
  EXPECT_EQ(parse("gated-silu").dense_activation(), Activation::kSilu);
  EXPECT_CONTAINS(error_of([&] { parse("gated-foo"); }), "T5Config: unsupported 'feed_forward_proj' \"gated-foo\"");
  EXPECT_CONTAINS(error_of([&] { parse("double-gelu"); }), "unsupported 'feed_forward_proj' \"double-gelu\"");
  EXPECT_CONTAINS(error_of([&] { parse("gated-gelu-fast"); }), "unsupported 'feed_forward_proj'");
}

TEST(T5Config, Errors) {
  const auto error = [](const char* text) {
    return error_of([&] { T5Config::from_json(nlohmann::json::parse(text)); });
  };
  EXPECT_CONTAINS(error(R"({"d_model": 4096.0})"), "T5Config: 'd_model' must be an integer, got number");
  EXPECT_CONTAINS(error(R"({"feed_forward_proj": ["gated", "gelu"]})"), "'feed_forward_proj' must be a string");
  EXPECT_CONTAINS(error(R"({"num_heads": -1})"), "'num_heads' must be positive");
  EXPECT_CONTAINS(error(R"({"relative_attention_num_buckets": 2})"), "'relative_attention_num_buckets'");
}

}  // namespace
}  // namespace spstudio::models
