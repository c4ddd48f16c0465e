// SPDX-License-Identifier: Apache-2.0
// CLIPTextModel against a float64 functional reference that reads the module's parameters by their
// transformers key names (so it also checks the names).
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "error_text.h"
#include "models/text/clip_text_model.h"
#include "models/weights/safetensors_writer.h"
#include "text_test_support.h"

namespace spstudio::models {
namespace {

using testing::error_of;
using testing::param;
using testing::Params;
using testing::params_by_key;
using testing::relative_error;

CLIPTextConfig tiny_config(const std::string& act = "quick_gelu", std::int64_t eos_token_id = 2) {
  CLIPTextConfig c;
  c.vocab_size = 64;
  c.hidden_size = 16;
  c.intermediate_size = 24;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.max_position_embeddings = 10;
  c.hidden_act = act;
  c.layer_norm_eps = 1e-5;
  c.eos_token_id = eos_token_id;
  return c;
}

at::Tensor ref_layer_norm(const at::Tensor& x, const Params& p, const std::string& prefix, double eps) {
  const at::Tensor mean = x.mean(-1, true);
  const at::Tensor var = (x - mean).pow(2).mean(-1, true);
  return (x - mean) / (var + eps).sqrt() * param(p, prefix + ".weight") + param(p, prefix + ".bias");
}

at::Tensor ref_linear(const at::Tensor& x, const Params& p, const std::string& prefix) {
  return x.matmul(param(p, prefix + ".weight").t()) + param(p, prefix + ".bias");
}

at::Tensor ref_activation(const std::string& act, const at::Tensor& x) {
  if (act == "quick_gelu") return x / (1.0 + (-1.702 * x).exp());
  return 0.5 * x * (1.0 + (x / std::sqrt(2.0)).erf());  // exact gelu
}

// Per-head causal attention of one [B, L, D] input, head by head.
at::Tensor ref_attention(const at::Tensor& x, const Params& p, const std::string& prefix, std::int64_t heads) {
  const at::Tensor q = ref_linear(x, p, prefix + ".q_proj"), k = ref_linear(x, p, prefix + ".k_proj"),
                   v = ref_linear(x, p, prefix + ".v_proj");
  const std::int64_t length = x.size(1), d = x.size(2) / heads;
  std::vector<at::Tensor> outputs;
  for (std::int64_t h = 0; h < heads; ++h) {
    const at::Tensor qh = q.slice(2, h * d, (h + 1) * d), kh = k.slice(2, h * d, (h + 1) * d),
                     vh = v.slice(2, h * d, (h + 1) * d);
    at::Tensor scores = qh.matmul(kh.transpose(1, 2)) / std::sqrt(double(d));
    for (std::int64_t i = 0; i < length; ++i) {
      for (std::int64_t j = i + 1; j < length; ++j)
        scores.select(1, i).select(1, j).fill_(-INFINITY);
    }
    const at::Tensor e = (scores - std::get<0>(scores.max(-1, true))).exp();
    outputs.push_back((e / e.sum(-1, true)).matmul(vh));
  }
  return ref_linear(at::cat(outputs, -1), p, prefix + ".out_proj");
}

struct RefOutput {
  at::Tensor last, pooled;
};

RefOutput reference(const CLIPTextConfig& c, const Params& p, const at::Tensor& ids) {
  const std::int64_t length = ids.size(1);
  at::Tensor h = param(p, "text_model.embeddings.token_embedding.weight")
                     .index_select(0, ids.flatten())
                     .view({ids.size(0), length, c.hidden_size}) +
                 param(p, "text_model.embeddings.position_embedding.weight").slice(0, 0, length);
  for (std::int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string layer = "text_model.encoder.layers." + std::to_string(l);
    h = h + ref_attention(ref_layer_norm(h, p, layer + ".layer_norm1", c.layer_norm_eps), p, layer + ".self_attn",
                          c.num_attention_heads);
    const at::Tensor x = ref_layer_norm(h, p, layer + ".layer_norm2", c.layer_norm_eps);
    h = h + ref_linear(ref_activation(c.hidden_act, ref_linear(x, p, layer + ".mlp.fc1")), p, layer + ".mlp.fc2");
  }
  const at::Tensor last = ref_layer_norm(h, p, "text_model.final_layer_norm", c.layer_norm_eps);
  // The pooled row: legacy configs (eos_token_id 2) the first largest id, others the first eos.
  std::vector<at::Tensor> rows;
  for (std::int64_t b = 0; b < ids.size(0); ++b) {
    std::int64_t at = 0;
    for (std::int64_t i = 0; i < length; ++i) {
      const std::int64_t id = ids[b][i].item<std::int64_t>();
      if (c.eos_token_id == 2 ? id > ids[b][at].item<std::int64_t>() : id == c.eos_token_id) {
        at = i;
        if (c.eos_token_id != 2) break;
      }
    }
    rows.push_back(last[b][at]);
  }
  return {last, at::stack(rows)};
}

at::Tensor sample_ids() {
  // Row 0: largest id 60 at position 5, eos-like id 7 first at 2; row 1: 60 at 3 and 6, 7 at 4.
  return at::tensor({1, 9, 7, 3, 12, 60, 7, 2, 60, 4, 11, 13, 60, 7, 5, 60, 20, 9}, at::kLong).view({2, 9});
}

class CLIPTextModelTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CLIPTextModelTest, MatchesTheFloat64Reference) {
  for (std::int64_t eos : {std::int64_t{2}, std::int64_t{7}}) {
    const CLIPTextConfig config = tiny_config(GetParam(), eos);
    CLIPTextModel model(config);
    testing::seed_parameters(*model, 11);
    const at::Tensor ids = sample_ids();
    const RefOutput ref = reference(config, params_by_key(*model), ids);

    at::NoGradGuard no_grad;
    const CLIPTextOutput out = model->forward(ids);
    ASSERT_EQ(out.last_hidden_state.sizes(), (std::vector<std::int64_t>{2, 9, 16}));
    ASSERT_EQ(out.pooler_output.sizes(), (std::vector<std::int64_t>{2, 16}));
    EXPECT_EQ(out.last_hidden_state.scalar_type(), at::kFloat);
    EXPECT_LT(relative_error(out.last_hidden_state, ref.last), 1e-5) << "eos_token_id " << eos;
    EXPECT_LT(relative_error(out.pooler_output, ref.pooled), 1e-5) << "eos_token_id " << eos;

    model->to(at::kDouble);
    const CLIPTextOutput out64 = model->forward(ids);
    EXPECT_LT(relative_error(out64.last_hidden_state, ref.last), 1e-12) << "eos_token_id " << eos;
    EXPECT_LT(relative_error(out64.pooler_output, ref.pooled), 1e-12) << "eos_token_id " << eos;
  }
}

INSTANTIATE_TEST_SUITE_P(Activations, CLIPTextModelTest, ::testing::Values("quick_gelu", "gelu"));

TEST(CLIPTextModel, PooledRowFollowsTheEosRule) {
  CLIPTextModel legacy(tiny_config("quick_gelu", 2)), current(tiny_config("quick_gelu", 7));
  testing::seed_parameters(*legacy, 3);
  testing::seed_parameters(*current, 3);
  at::NoGradGuard no_grad;
  const at::Tensor ids = sample_ids();
  const CLIPTextOutput a = legacy->forward(ids), b = current->forward(ids);
  // Legacy: argmax(input_ids) → positions 5 and 3 (the first 60); current: first 7 → 2 and 4.
  EXPECT_TRUE(a.pooler_output[0].equal(a.last_hidden_state[0][5]));
  EXPECT_TRUE(a.pooler_output[1].equal(a.last_hidden_state[1][3]));
  EXPECT_TRUE(b.pooler_output[0].equal(b.last_hidden_state[0][2]));
  EXPECT_TRUE(b.pooler_output[1].equal(b.last_hidden_state[1][4]));
}

TEST(CLIPTextModel, CausalMaskHidesLaterTokens) {
  CLIPTextModel model(tiny_config());
  testing::seed_parameters(*model, 5);
  at::NoGradGuard no_grad;
  const at::Tensor ids = sample_ids();
  at::Tensor changed = ids.clone();
  changed[0][8] = 33;
  const at::Tensor a = model->forward(ids).last_hidden_state, b = model->forward(changed).last_hidden_state;
  EXPECT_TRUE(a[0].slice(0, 0, 8).equal(b[0].slice(0, 0, 8)));
  EXPECT_FALSE(a[0][8].equal(b[0][8]));
}

TEST(CLIPTextModel, StateDictHasTransformersNames) {
  CLIPTextModel model(tiny_config());
  std::set<std::string> names;
  for (const auto& item : model->named_parameters())
    names.insert(item.key());
  std::set<std::string> expected = {"text_model.embeddings.token_embedding.weight",
                                    "text_model.embeddings.position_embedding.weight",
                                    "text_model.final_layer_norm.weight", "text_model.final_layer_norm.bias"};
  for (int l = 0; l < 2; ++l) {
    const std::string layer = "text_model.encoder.layers." + std::to_string(l) + ".";
    for (const char* part : {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj",
                             "layer_norm1", "mlp.fc1", "mlp.fc2", "layer_norm2"}) {
      expected.insert(layer + part + ".weight");
      expected.insert(layer + part + ".bias");
    }
  }
  EXPECT_EQ(names, expected);
  EXPECT_EQ(model->named_buffers().size(), 0u);
}

TEST(CLIPTextModel, LoadsCheckpointsWithThePositionIdsBuffer) {
  CLIPTextModel source(tiny_config()), target(tiny_config());
  testing::seed_parameters(*source, 8);
  testing::seed_parameters(*target, 9);
  NamedTensors tensors = state_dict_of(*source);
  tensors.emplace_back("text_model.embeddings.position_ids", at::arange(10, at::kLong).unsqueeze(0));
  testing::TempFolder folder;
  save_safetensors(folder.path() / "model.safetensors", tensors);
  load_state_dict(*target, open_weights(folder.path()), CLIPTextModelImpl::load_options());
  const Params a = params_by_key(*source), b = params_by_key(*target);
  for (const auto& [name, value] : a)
    EXPECT_TRUE(value.equal(param(b, name))) << name;
}

TEST(CLIPTextModel, RejectsMalformedInputIds) {
  CLIPTextModel model(tiny_config());
  EXPECT_CONTAINS(error_of([&] { model->forward(at::zeros({5}, at::kLong)); }),
                  "CLIPTextModel: input_ids must be [batch, length], got shape [5]");
  EXPECT_CONTAINS(error_of([&] {
                    model->forward(at::zeros({1, 11}, at::kLong));
                  }),
                  "11 tokens exceed the 10 positions");
  EXPECT_CONTAINS(error_of([&] {
                    model->forward(at::full({1, 3}, 64, at::kLong));
                  }),
                  "id 64, outside the vocabulary of 64");
  EXPECT_CONTAINS(error_of([&] { model->forward(at::zeros({1, 3}, at::kFloat)); }), "must be integer ids");
}

}  // namespace
}  // namespace spstudio::models
