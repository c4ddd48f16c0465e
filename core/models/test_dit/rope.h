// SPDX-License-Identifier: Apache-2.0
// 2-axis rotary position embedding tables and their application (interleaved pairs, as Flux).
#pragma once

#include <torch/nn/pimpl.h>

#include "models/layers/rotary.h"
#include "models/test_dit/config.h"
#include "sp/hooks/hookable_module.h"

namespace spstudio::models {

/// cos/sin tables [N, head_dim] for positions ids [N, 2] (row, column): half the dims per axis.
std::pair<at::Tensor, at::Tensor> rope_tables(const at::Tensor& ids, std::int64_t head_dim, double theta);

/// rope_prepare(img_ids [S, 2], txt_ids [T, 2]) →
///   (txt_cos, txt_sin, img_cos, img_sin)  or, with joint_rope_table, (cos, sin) over [text | image].
/// A module of its own so a plan can shard its image outputs (split_output).
class RopePrepareImpl : public sp::HookableModule {
 public:
  explicit RopePrepareImpl(const TestDiTConfig& config);
  std::vector<at::Tensor> forward(const at::Tensor& img_ids, const at::Tensor& txt_ids);

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;

 private:
  std::int64_t head_dim_;
  double theta_;
  bool joint_;
};
TORCH_MODULE(RopePrepare);

/// The text and image tables a block applies, from rope_prepare's outputs (either layout).
struct RopeTables {
  at::Tensor txt_cos, txt_sin, img_cos, img_sin;
  static RopeTables from(const std::vector<at::Tensor>& prepared, std::int64_t text_len);
};

}  // namespace spstudio::models
