// SPDX-License-Identifier: Apache-2.0
// FluxAttention (diffusers' names): q/k/v projections with per-head RMSNorm and rotary embeddings
// around one sp::Attention layer. The text rows join the attention as joint tokens in front, so
// under sequence parallelism the image rows are sharded and the text stays replicated.
//   dual-stream (double blocks): text has add_{q,k,v}_proj / norm_added_{q,k} and to_add_out;
//     returns (to_out.0(image), to_add_out(text));
//   single-stream (pre_only): text and image share the projections, no output projection;
//     returns (image, text).
#pragma once

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include "models/flux/config.h"
#include "models/layers/linear.h"
#include "sp/attention/attention.h"

namespace spstudio::models::flux {

class FluxAttentionImpl : public sp::HookableModule {
 public:
  FluxAttentionImpl(const FluxTransformerConfig& c, bool dual_stream);
  std::pair<at::Tensor, at::Tensor> forward(const at::Tensor& hidden_states, const at::Tensor& encoder_hidden_states,
                                            const sp::Value& image_rotary_emb);

  Linear to_q{nullptr}, to_k{nullptr}, to_v{nullptr};
  RMSNorm norm_q{nullptr}, norm_k{nullptr};
  sp::Attention attention{nullptr};
  // Dual-stream only.
  Linear add_q_proj{nullptr}, add_k_proj{nullptr}, add_v_proj{nullptr};
  RMSNorm norm_added_q{nullptr}, norm_added_k{nullptr};
  torch::nn::ModuleList to_out{nullptr};  ///< [Linear] (diffusers' to_out.0; its dropout has no weights)
  Linear to_add_out{nullptr};

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;

 private:
  std::int64_t heads_, head_dim_;
  bool dual_stream_;
  Linear out_proj_{nullptr};  // to_out[0]
};
TORCH_MODULE(FluxAttention);

}  // namespace spstudio::models::flux
