// SPDX-License-Identifier: Apache-2.0
#include "models/text/clip_text_model.h"

#include <cmath>
#include <limits>
#include <utility>

#include "models/text/input_checks.h"

namespace spstudio::models {

CLIPTextEmbeddingsImpl::CLIPTextEmbeddingsImpl(const CLIPTextConfig& c) {
  token_embedding = register_module("token_embedding", torch::nn::Embedding(c.vocab_size, c.hidden_size));
  position_embedding =
      register_module("position_embedding", torch::nn::Embedding(c.max_position_embeddings, c.hidden_size));
}

at::Tensor CLIPTextEmbeddingsImpl::forward(const at::Tensor& input_ids) {
  const std::int64_t length = input_ids.size(1);
  return token_embedding(input_ids) + position_embedding->weight.slice(0, 0, length).unsqueeze(0);
}

CLIPAttentionImpl::CLIPAttentionImpl(const CLIPTextConfig& c) : heads_(c.num_attention_heads), head_dim_(c.head_dim()) {
  q_proj = register_module("q_proj", torch::nn::Linear(c.hidden_size, c.hidden_size));
  k_proj = register_module("k_proj", torch::nn::Linear(c.hidden_size, c.hidden_size));
  v_proj = register_module("v_proj", torch::nn::Linear(c.hidden_size, c.hidden_size));
  out_proj = register_module("out_proj", torch::nn::Linear(c.hidden_size, c.hidden_size));
}

at::Tensor CLIPAttentionImpl::forward(const at::Tensor& hidden_states, bool causal) {
  const std::int64_t batch = hidden_states.size(0), length = hidden_states.size(1);
  auto heads = [&](const at::Tensor& x) { return x.view({batch, length, heads_, head_dim_}).transpose(1, 2); };
  const at::Tensor q = heads(q_proj(hidden_states)), k = heads(k_proj(hidden_states)), v = heads(v_proj(hidden_states));
  // Softmax in float32 for half-precision weights (transformers' eager path).
  at::Tensor scores = at::matmul(q, k.transpose(-2, -1));
  if (scores.scalar_type() == at::kHalf || scores.scalar_type() == at::kBFloat16) scores = scores.to(at::kFloat);
  scores = scores * (1.0 / std::sqrt(double(head_dim_)));
  if (causal) {
    const at::Tensor later = at::ones({length, length}, scores.options().dtype(at::kBool)).triu(1);
    scores = scores.masked_fill(later, -std::numeric_limits<float>::infinity());
  }
  const at::Tensor probs = at::softmax(scores, -1).to(v.scalar_type());
  const at::Tensor context = at::matmul(probs, v).transpose(1, 2).reshape({batch, length, heads_ * head_dim_});
  return out_proj(context);
}

CLIPMLPImpl::CLIPMLPImpl(const CLIPTextConfig& c) : activation_(c.activation()) {
  fc1 = register_module("fc1", torch::nn::Linear(c.hidden_size, c.intermediate_size));
  fc2 = register_module("fc2", torch::nn::Linear(c.intermediate_size, c.hidden_size));
}

at::Tensor CLIPMLPImpl::forward(const at::Tensor& hidden_states) {
  return fc2(apply_activation(activation_, fc1(hidden_states)));
}

namespace {
torch::nn::LayerNorm layer_norm(const CLIPTextConfig& c) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps));
}
}  // namespace

CLIPEncoderLayerImpl::CLIPEncoderLayerImpl(const CLIPTextConfig& c) {
  self_attn = register_module("self_attn", CLIPAttention(c));
  layer_norm1 = register_module("layer_norm1", layer_norm(c));
  mlp = register_module("mlp", CLIPMLP(c));
  layer_norm2 = register_module("layer_norm2", layer_norm(c));
}

at::Tensor CLIPEncoderLayerImpl::forward(const at::Tensor& hidden_states) {
  const at::Tensor attended = hidden_states + self_attn(layer_norm1(hidden_states));
  return attended + mlp(layer_norm2(attended));
}

CLIPEncoderImpl::CLIPEncoderImpl(const CLIPTextConfig& c) {
  layers = register_module("layers", torch::nn::ModuleList());
  for (std::int64_t i = 0; i < c.num_hidden_layers; ++i)
    layers->push_back(CLIPEncoderLayer(c));
}

at::Tensor CLIPEncoderImpl::forward(const at::Tensor& hidden_states) {
  at::Tensor h = hidden_states;
  for (const auto& layer : *layers)
    h = layer->as<CLIPEncoderLayerImpl>()->forward(h);
  return h;
}

CLIPTextTransformerImpl::CLIPTextTransformerImpl(const CLIPTextConfig& c) : config_(c) {
  embeddings = register_module("embeddings", CLIPTextEmbeddings(c));
  encoder = register_module("encoder", CLIPEncoder(c));
  final_layer_norm = register_module("final_layer_norm", layer_norm(c));
}

CLIPTextOutput CLIPTextTransformerImpl::forward(const at::Tensor& input_ids) {
  const at::Tensor ids = input_ids.to(at::kLong);
  at::Tensor last = final_layer_norm(encoder(embeddings(ids)));
  // Which row is pooled, as transformers decides it: configs with the pre-#24773 eos_token_id of 2
  // take argmax(input_ids) (CLIP's eos is its largest id), newer ones the first eos position.
  const at::Tensor eos_at =
      config_.eos_token_id == 2 ? ids.to(at::kInt).argmax(-1) : ids.eq(config_.eos_token_id).to(at::kInt).argmax(-1);
  const at::Tensor index = eos_at.view({-1, 1, 1}).expand({last.size(0), 1, last.size(2)});
  at::Tensor pooled = last.gather(1, index).squeeze(1);
  return {std::move(last), std::move(pooled)};
}

CLIPTextModelImpl::CLIPTextModelImpl(CLIPTextConfig config) : config_(std::move(config)) {
  config_.validate();
  text_model = register_module("text_model", CLIPTextTransformer(config_));
}

CLIPTextOutput CLIPTextModelImpl::forward(const at::Tensor& input_ids) {
  check_input_ids(input_ids, config_.vocab_size, config_.max_position_embeddings, "CLIPTextModel");
  return text_model(input_ids);
}

LoadOptions CLIPTextModelImpl::load_options() {
  LoadOptions options;
  options.ignore_unexpected = {"text_model.embeddings.position_ids"};
  return options;
}

}  // namespace spstudio::models
