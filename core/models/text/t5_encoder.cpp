// SPDX-License-Identifier: Apache-2.0
#include "models/text/t5_encoder.h"

#include <limits>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "models/text/input_checks.h"

namespace spstudio::models {

T5StackImpl::T5StackImpl(const T5Config& c, torch::nn::Embedding shared_embedding) {
  embed_tokens = register_module("embed_tokens", std::move(shared_embedding));
  block = register_module("block", torch::nn::ModuleList());
  for (std::int64_t i = 0; i < c.num_layers; ++i)
    block->push_back(T5Block(c, /*has_relative_attention_bias=*/i == 0));
  final_layer_norm = register_module("final_layer_norm", T5LayerNorm(c.d_model, c.layer_norm_epsilon));
}

at::Tensor T5StackImpl::forward(const at::Tensor& input_ids, const at::Tensor& attention_mask) {
  at::Tensor h = embed_tokens(input_ids);
  const std::int64_t length = input_ids.size(1);
  auto first = block[0]->as<T5BlockImpl>();
  // One position bias for all blocks, computed by block 0, with the padding mask folded in.
  at::Tensor position_bias =
      first->self_attention_layer->SelfAttention->compute_bias(length, length).to(h.scalar_type());
  if (attention_mask.defined()) {
    const double lowest = h.scalar_type() == at::kDouble     ? std::numeric_limits<double>::lowest()
                          : h.scalar_type() == at::kHalf     ? -65504.0
                          : h.scalar_type() == at::kBFloat16 ? -3.3895313892515355e38
                                                             : double(std::numeric_limits<float>::lowest());
    const at::Tensor masked = attention_mask.eq(0).view({input_ids.size(0), 1, 1, length});
    position_bias = position_bias + masked.to(h.scalar_type()) * lowest;
  }
  for (const auto& module : *block)
    h = module->as<T5BlockImpl>()->forward(h, position_bias);
  return final_layer_norm(h);
}

T5EncoderModelImpl::T5EncoderModelImpl(T5Config config) : config_(std::move(config)) {
  config_.validate();
  shared = register_module("shared", torch::nn::Embedding(config_.vocab_size, config_.d_model));
  encoder = register_module("encoder", T5Stack(config_, shared));
}

at::Tensor T5EncoderModelImpl::forward(const at::Tensor& input_ids, const at::Tensor& attention_mask) {
  check_input_ids(input_ids, config_.vocab_size, /*max_length=*/0, "T5EncoderModel");
  if (attention_mask.defined() && attention_mask.sizes() != input_ids.sizes()) {
    std::ostringstream shapes;
    shapes << attention_mask.sizes() << " vs input_ids " << input_ids.sizes();
    throw std::invalid_argument("T5EncoderModel: attention_mask must have the shape of input_ids, got " + shapes.str());
  }
  return encoder(input_ids.to(at::kLong), attention_mask);
}

LoadOptions T5EncoderModelImpl::load_options() {
  LoadOptions options;
  options.aliases = {{"encoder.embed_tokens.weight", "shared.weight"},
                     {"shared.weight", "encoder.embed_tokens.weight"}};
  return options;
}

}  // namespace spstudio::models
