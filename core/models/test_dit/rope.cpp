// SPDX-License-Identifier: Apache-2.0
#include "models/test_dit/rope.h"

#include <stdexcept>

namespace spstudio::models {

std::pair<at::Tensor, at::Tensor> rope_tables(const at::Tensor& ids, std::int64_t head_dim, double theta) {
  if (head_dim % 4 != 0) throw std::invalid_argument("2-axis RoPE needs head_dim divisible by 4");
  return rope_tables(ids, {head_dim / 2, head_dim / 2}, theta);
}

RopePrepareImpl::RopePrepareImpl(const TestDiTConfig& config)
    : sp::HookableModule("RopePrepare", {"img_ids", "txt_ids"}),
      head_dim_(config.head_dim),
      theta_(config.rope_theta),
      joint_(config.joint_rope_table) {}

std::vector<at::Tensor> RopePrepareImpl::forward(const at::Tensor& img_ids, const at::Tensor& txt_ids) {
  return sp::to_tensors(call({img_ids, txt_ids}));
}

sp::Value RopePrepareImpl::forward_impl(const sp::BoundArgs& args) {
  const at::Tensor img_ids = args.tensor("img_ids"), txt_ids = args.tensor("txt_ids");
  if (joint_) {
    auto [cos, sin] = rope_tables(at::cat({txt_ids, img_ids}, 0), head_dim_, theta_);
    return sp::make_tuple({cos, sin});
  }
  auto [txt_cos, txt_sin] = rope_tables(txt_ids, head_dim_, theta_);
  auto [img_cos, img_sin] = rope_tables(img_ids, head_dim_, theta_);
  return sp::make_tuple({txt_cos, txt_sin, img_cos, img_sin});
}

RopeTables RopeTables::from(const std::vector<at::Tensor>& t, std::int64_t text_len) {
  if (t.size() == 4) return {t[0], t[1], t[2], t[3]};
  if (t.size() != 2) throw std::invalid_argument("rope tables: expected 2 or 4 tensors");
  const std::int64_t image = t[0].size(0) - text_len;
  return {t[0].narrow(0, 0, text_len), t[1].narrow(0, 0, text_len), t[0].narrow(0, text_len, image),
          t[1].narrow(0, text_len, image)};
}

}  // namespace spstudio::models
