// SPDX-License-Identifier: Apache-2.0
// T5EncoderModel against a float64 functional reference that reads the module's parameters by
// their transformers key names, and the relative-position buckets against hand-computed values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "error_text.h"
#include "models/text/t5_encoder.h"
#include "models/weights/safetensors_writer.h"
#include "text_test_support.h"

namespace spstudio::models {
namespace {

using testing::error_of;
using testing::param;
using testing::Params;
using testing::params_by_key;
using testing::relative_error;

T5Config tiny_config(const std::string& feed_forward_proj = "gated-gelu") {
  T5Config c;
  c.vocab_size = 40;
  c.d_model = 16;
  c.d_kv = 6;  // heads × d_kv = 24 ≠ d_model
  c.d_ff = 20;
  c.num_layers = 2;
  c.num_heads = 4;
  c.relative_attention_num_buckets = 8;  // 4 per direction: 2 exact, 2 logarithmic up to 16
  c.relative_attention_max_distance = 16;
  c.layer_norm_epsilon = 1e-6;
  c.feed_forward_proj = feed_forward_proj;
  return c;
}

std::vector<std::int64_t> buckets_of(const std::vector<std::int64_t>& relative, bool bidirectional,
                                     std::int64_t num_buckets, std::int64_t max_distance) {
  const at::Tensor b =
      t5_relative_position_bucket(at::tensor(relative, at::kLong), bidirectional, num_buckets, max_distance);
  return {b.data_ptr<std::int64_t>(), b.data_ptr<std::int64_t>() + b.numel()};
}

TEST(T5RelativePositionBucket, MatchesHandComputedBuckets) {
  // 32 buckets, bidirectional: 16 per direction (positive offsets add 16), 8 exact (|r| < 8), the
  // rest 8 + floor(8 · ln(|r|/8) / ln(128/8)), at most 15:
  //   |r| = 20: 8·ln 2.5/ln 16 = 2.64 → 10;   50: 8·ln 6.25/ln 16 = 5.29 → 13;
  //   100: 7.29 → 15;   127: 7.98 → 15;   1000: 13.9 → 21 → capped at 15.
  EXPECT_EQ(buckets_of({0, -1, -7, 7, 3, -8, -20, 20, -50, -100, -127, -1000, 1000}, true, 32, 128),
            (std::vector<std::int64_t>{0, 1, 7, 23, 19, 8, 10, 26, 13, 15, 15, 15, 31}));
  // 8 buckets, max distance 16: 4 per direction, 2 exact, then 2 + floor(2 · ln(|r|/2) / ln 8):
  //   |r| = 5: 0.88 → 2;   6: 1.06 → 3;   100: 3.76 → 5 → capped at 3.
  EXPECT_EQ(buckets_of({-1, 1, -2, -5, -6, 6, -100}, true, 8, 16), (std::vector<std::int64_t>{1, 5, 2, 2, 3, 7, 3}));
  // Unidirectional (decoder-style): positive offsets are bucket 0; 16 exact, then
  // 16 + floor(16 · ln(|r|/16) / ln 8): |r| = 20: 1.72 → 17;   200: 19.4 → 35 → capped at 31.
  EXPECT_EQ(buckets_of({5, -5, -20, -200}, false, 32, 128), (std::vector<std::int64_t>{0, 5, 17, 31}));
}

// The bucket of one offset, straight from the definition, in double precision.
std::int64_t ref_bucket(std::int64_t relative, std::int64_t num_buckets, std::int64_t max_distance) {
  const std::int64_t per_side = num_buckets / 2, exact = per_side / 2;
  const std::int64_t base = relative > 0 ? per_side : 0, r = std::abs(relative);
  if (r < exact) return base + r;
  const auto large =
      exact + static_cast<std::int64_t>(std::floor(std::log(double(r) / exact) /
                                                   std::log(double(max_distance) / exact) * double(per_side - exact)));
  return base + std::min(large, per_side - 1);
}

at::Tensor ref_rms_norm(const at::Tensor& x, const Params& p, const std::string& key, double eps) {
  return param(p, key) * x / (x.pow(2).mean(-1, true) + eps).sqrt();
}

at::Tensor ref_dense(const at::Tensor& x, const Params& p, const std::string& prefix) {
  return x.matmul(param(p, prefix + ".weight").t());
}

at::Tensor ref_gelu_tanh(const at::Tensor& x) {
  return 0.5 * x * (1.0 + (std::sqrt(2.0 / M_PI) * (x + 0.044715 * x.pow(3))).tanh());
}

at::Tensor reference(const T5Config& c, const Params& p, const at::Tensor& ids, const at::Tensor& mask) {
  const std::int64_t batch = ids.size(0), length = ids.size(1);
  at::Tensor h = param(p, "shared.weight").index_select(0, ids.flatten()).view({batch, length, c.d_model});
  // [heads, L, L] bias from block 0's table, plus -inf on masked keys.
  const at::Tensor& table = param(p, "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight");
  at::Tensor bias = at::zeros({batch, c.num_heads, length, length}, at::kDouble);
  for (std::int64_t i = 0; i < length; ++i) {
    for (std::int64_t j = 0; j < length; ++j) {
      const std::int64_t bucket =
          ref_bucket(j - i, c.relative_attention_num_buckets, c.relative_attention_max_distance);
      for (std::int64_t b = 0; b < batch; ++b) {
        for (std::int64_t head = 0; head < c.num_heads; ++head) {
          const bool hidden = mask.defined() && mask[b][j].item<std::int64_t>() == 0;
          bias[b][head][i][j] = hidden ? -INFINITY : table[bucket][head].item<double>();
        }
      }
    }
  }
  for (std::int64_t l = 0; l < c.num_layers; ++l) {
    const std::string block = "encoder.block." + std::to_string(l) + ".layer.";
    const at::Tensor x = ref_rms_norm(h, p, block + "0.layer_norm.weight", c.layer_norm_epsilon);
    const std::string attn = block + "0.SelfAttention.";
    const at::Tensor q = ref_dense(x, p, attn + "q"), k = ref_dense(x, p, attn + "k"), v = ref_dense(x, p, attn + "v");
    std::vector<at::Tensor> heads;
    for (std::int64_t head = 0; head < c.num_heads; ++head) {
      const auto cols = [&](const at::Tensor& t) { return t.slice(2, head * c.d_kv, (head + 1) * c.d_kv); };
      const at::Tensor scores = cols(q).matmul(cols(k).transpose(1, 2)) + bias.select(1, head);  // no 1/sqrt(d)
      const at::Tensor e = (scores - std::get<0>(scores.max(-1, true))).exp();
      heads.push_back((e / e.sum(-1, true)).matmul(cols(v)));
    }
    h = h + ref_dense(at::cat(heads, -1), p, attn + "o");
    const at::Tensor y = ref_rms_norm(h, p, block + "1.layer_norm.weight", c.layer_norm_epsilon);
    const std::string ff = block + "1.DenseReluDense.";
    const at::Tensor inner = c.feed_forward_proj == "relu"
                                 ? ref_dense(y, p, ff + "wi").clamp_min(0)
                                 : ref_gelu_tanh(ref_dense(y, p, ff + "wi_0")) * ref_dense(y, p, ff + "wi_1");
    h = h + ref_dense(inner, p, ff + "wo");
  }
  return ref_rms_norm(h, p, "encoder.final_layer_norm.weight", c.layer_norm_epsilon);
}

at::Tensor sample_ids() {
  at::Generator generator = at::detail::createCPUGenerator(21);
  return at::randint(40, {2, 12}, generator, at::kLong);
}

class T5EncoderTest : public ::testing::TestWithParam<std::string> {};

TEST_P(T5EncoderTest, MatchesTheFloat64Reference) {
  const T5Config config = tiny_config(GetParam());
  T5EncoderModel model(config);
  testing::seed_parameters(*model, 17);
  const at::Tensor ids = sample_ids();
  at::Tensor mask = at::ones({2, 12}, at::kLong);
  mask[1].slice(0, 8).fill_(0);  // the last 4 tokens of row 1 are padding
  const Params params = params_by_key(*model);

  at::NoGradGuard no_grad;
  for (const bool masked : {false, true}) {
    const at::Tensor m = masked ? mask : at::Tensor();
    const at::Tensor expected = reference(config, params, ids, m);
    const at::Tensor out = model->forward(ids, m);
    ASSERT_EQ(out.sizes(), (std::vector<std::int64_t>{2, 12, 16}));
    EXPECT_LT(relative_error(out, expected), 1e-5) << "masked " << masked;
  }
  model->to(at::kDouble);
  EXPECT_LT(relative_error(model->forward(ids), reference(config, params, ids, {})), 1e-12);
  EXPECT_LT(relative_error(model->forward(ids, mask), reference(config, params, ids, mask)), 1e-12);
}

INSTANTIATE_TEST_SUITE_P(FeedForward, T5EncoderTest, ::testing::Values("gated-gelu", "relu"));

TEST(T5Encoder, StateDictHasTransformersNames) {
  T5EncoderModel model(tiny_config());
  std::set<std::string> names;
  for (const auto& item : model->named_parameters())
    names.insert(item.key());
  std::set<std::string> expected = {"shared.weight", "encoder.embed_tokens.weight", "encoder.final_layer_norm.weight",
                                    "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"};
  for (int l = 0; l < 2; ++l) {
    const std::string block = "encoder.block." + std::to_string(l) + ".layer.";
    for (const char* part :
         {"0.SelfAttention.q", "0.SelfAttention.k", "0.SelfAttention.v", "0.SelfAttention.o", "0.layer_norm",
          "1.DenseReluDense.wi_0", "1.DenseReluDense.wi_1", "1.DenseReluDense.wo", "1.layer_norm"}) {
      expected.insert(block + part + ".weight");
    }
  }
  EXPECT_EQ(names, expected);
  // The tied embedding is one tensor under both names.
  const auto params = model->named_parameters();
  EXPECT_TRUE(params["shared.weight"].is_same(params["encoder.embed_tokens.weight"]));
}

TEST(T5Encoder, LoadsACheckpointWithOnlyOneOfTheTiedNames) {
  T5EncoderModel source(tiny_config());
  testing::seed_parameters(*source, 4);
  for (const char* kept : {"shared.weight", "encoder.embed_tokens.weight"}) {
    const std::string dropped = std::string(kept) == "shared.weight" ? "encoder.embed_tokens.weight" : "shared.weight";
    NamedTensors tensors;
    for (auto& [name, tensor] : state_dict_of(*source)) {
      if (name != dropped) tensors.emplace_back(name, tensor);
    }
    testing::TempFolder folder;
    save_safetensors(folder.path() / "model.safetensors", tensors);
    T5EncoderModel target(tiny_config());
    testing::seed_parameters(*target, 5);
    load_state_dict(*target, open_weights(folder.path()), T5EncoderModelImpl::load_options());
    const Params a = params_by_key(*source), b = params_by_key(*target);
    for (const auto& [name, value] : a)
      EXPECT_TRUE(value.equal(param(b, name))) << name << " with only " << kept;
  }
}

TEST(T5Encoder, RejectsMalformedInputs) {
  T5EncoderModel model(tiny_config());
  EXPECT_CONTAINS(error_of([&] { model->forward(at::zeros({3}, at::kLong)); }),
                  "T5EncoderModel: input_ids must be [batch, length]");
  EXPECT_CONTAINS(error_of([&] {
                    model->forward(at::full({1, 2}, 40, at::kLong));
                  }),
                  "id 40, outside the vocabulary of 40");
  EXPECT_CONTAINS(error_of([&] {
                    model->forward(at::zeros({1, 4}, at::kLong), at::ones({1, 3}, at::kLong));
                  }),
                  "attention_mask must have the shape of input_ids");
}

}  // namespace
}  // namespace spstudio::models
