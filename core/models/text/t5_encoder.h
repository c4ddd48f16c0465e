// SPDX-License-Identifier: Apache-2.0
// transformers' T5EncoderModel (Flux's `text_encoder_2`, T5 v1.1), with its state-dict names:
//   shared.weight                      (the token embedding; encoder.embed_tokens.weight is tied to it)
//   encoder.block.N.layer.0.SelfAttention.{q,k,v,o}.weight
//   encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight
//   encoder.block.N.layer.0.layer_norm.weight
//   encoder.block.N.layer.1.DenseReluDense.{wi_0,wi_1,wo}.weight   ({wi,wo} when not gated)
//   encoder.block.N.layer.1.layer_norm.weight
//   encoder.final_layer_norm.weight
#pragma once

#include "models/text/t5_layers.h"
#include "models/weights/state_dict_loading.h"

namespace spstudio::models {

class T5StackImpl : public torch::nn::Module {
 public:
  /// `embed_tokens` is the caller's embedding, registered here under its own name (tied weights).
  T5StackImpl(const T5Config& config, torch::nn::Embedding embed_tokens);
  at::Tensor forward(const at::Tensor& input_ids, const at::Tensor& attention_mask);

  torch::nn::Embedding embed_tokens{nullptr};
  torch::nn::ModuleList block{nullptr};  ///< of T5Block; block 0 owns the relative attention bias
  T5LayerNorm final_layer_norm{nullptr};
};
TORCH_MODULE(T5Stack);

class T5EncoderModelImpl : public torch::nn::Module {
 public:
  /// Parameters are allocated, not initialised: load a checkpoint or seed them.
  explicit T5EncoderModelImpl(T5Config config);
  /// input_ids: [B, L] integer ids. attention_mask: optional [B, L], 1 for tokens to attend to and
  /// 0 for padding (Flux passes none: padding tokens are attended to). Returns last_hidden_state
  /// [B, L, d_model]. Throws std::invalid_argument for malformed inputs.
  at::Tensor forward(const at::Tensor& input_ids, const at::Tensor& attention_mask = {});

  const T5Config& config() const { return config_; }
  /// How load_state_dict should read a transformers checkpoint: `shared.weight` and
  /// `encoder.embed_tokens.weight` are one tensor here (registered under both names, so loading
  /// either fills both), and transformers saves only one of them; each aliases the other.
  static LoadOptions load_options();

  torch::nn::Embedding shared{nullptr};
  T5Stack encoder{nullptr};

 private:
  T5Config config_;
};
TORCH_MODULE(T5EncoderModel);

}  // namespace spstudio::models
