// SPDX-License-Identifier: Apache-2.0
// transformers' CLIPTextModel (Flux's `text_encoder`), with its state-dict names:
//   text_model.embeddings.{token_embedding,position_embedding}.weight
//   text_model.encoder.layers.N.{self_attn.{q,k,v,out}_proj,layer_norm1,mlp.{fc1,fc2},layer_norm2}.*
//   text_model.final_layer_norm.*
// Pre-norm transformer with a causal mask; the pooled output is the final-norm row at the eos.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "models/text/clip_text_config.h"
#include "models/weights/state_dict_loading.h"

namespace spstudio::models {

struct CLIPTextOutput {
  at::Tensor last_hidden_state;  ///< [B, L, hidden], after the final layer norm
  at::Tensor pooler_output;      ///< [B, hidden], last_hidden_state at each row's eos
};

class CLIPTextEmbeddingsImpl : public torch::nn::Module {
 public:
  explicit CLIPTextEmbeddingsImpl(const CLIPTextConfig& config);
  /// Token embedding plus the position embedding of positions 0..L-1.
  at::Tensor forward(const at::Tensor& input_ids);

  torch::nn::Embedding token_embedding{nullptr}, position_embedding{nullptr};
};
TORCH_MODULE(CLIPTextEmbeddings);

class CLIPAttentionImpl : public torch::nn::Module {
 public:
  explicit CLIPAttentionImpl(const CLIPTextConfig& config);
  /// Multi-head self-attention over [B, L, hidden]; `causal` hides later positions.
  at::Tensor forward(const at::Tensor& hidden_states, bool causal = true);

  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};

 private:
  std::int64_t heads_, head_dim_;
};
TORCH_MODULE(CLIPAttention);

class CLIPMLPImpl : public torch::nn::Module {
 public:
  explicit CLIPMLPImpl(const CLIPTextConfig& config);
  at::Tensor forward(const at::Tensor& hidden_states);  ///< fc2(act(fc1(x)))

  torch::nn::Linear fc1{nullptr}, fc2{nullptr};

 private:
  Activation activation_;
};
TORCH_MODULE(CLIPMLP);

class CLIPEncoderLayerImpl : public torch::nn::Module {
 public:
  explicit CLIPEncoderLayerImpl(const CLIPTextConfig& config);
  /// x + attn(ln1(x)), then + mlp(ln2(·)).
  at::Tensor forward(const at::Tensor& hidden_states);

  CLIPAttention self_attn{nullptr};
  torch::nn::LayerNorm layer_norm1{nullptr};
  CLIPMLP mlp{nullptr};
  torch::nn::LayerNorm layer_norm2{nullptr};
};
TORCH_MODULE(CLIPEncoderLayer);

class CLIPEncoderImpl : public torch::nn::Module {
 public:
  explicit CLIPEncoderImpl(const CLIPTextConfig& config);
  at::Tensor forward(const at::Tensor& hidden_states);

  torch::nn::ModuleList layers{nullptr};  ///< of CLIPEncoderLayer
};
TORCH_MODULE(CLIPEncoder);

class CLIPTextTransformerImpl : public torch::nn::Module {
 public:
  explicit CLIPTextTransformerImpl(const CLIPTextConfig& config);
  CLIPTextOutput forward(const at::Tensor& input_ids);

  CLIPTextEmbeddings embeddings{nullptr};
  CLIPEncoder encoder{nullptr};
  torch::nn::LayerNorm final_layer_norm{nullptr};

 private:
  CLIPTextConfig config_;
};
TORCH_MODULE(CLIPTextTransformer);

class CLIPTextModelImpl : public torch::nn::Module {
 public:
  /// Parameters are allocated, not initialised: load a checkpoint or seed them.
  explicit CLIPTextModelImpl(CLIPTextConfig config);
  /// input_ids: [B, L] integer ids, L <= max_position_embeddings. Throws std::invalid_argument
  /// for another shape or dtype, a longer sequence, or ids outside the vocabulary.
  CLIPTextOutput forward(const at::Tensor& input_ids);

  const CLIPTextConfig& config() const { return config_; }
  /// How load_state_dict should read a transformers checkpoint: older ones carry the
  /// `text_model.embeddings.position_ids` buffer (0..L-1) that this implementation computes.
  static LoadOptions load_options();

  CLIPTextTransformer text_model{nullptr};

 private:
  CLIPTextConfig config_;
};
TORCH_MODULE(CLIPTextModel);

}  // namespace spstudio::models
