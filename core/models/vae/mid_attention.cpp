// SPDX-License-Identifier: Apache-2.0
#include "models/vae/mid_attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "models/vae/resnet.h"

namespace spstudio::models {
MidBlockAttentionImpl::MidBlockAttentionImpl(std::int64_t channels, std::int64_t groups) {
  group_norm = register_module("group_norm", vae_group_norm(groups, channels));
  to_q = register_module("to_q", torch::nn::Linear(channels, channels));
  to_k = register_module("to_k", torch::nn::Linear(channels, channels));
  to_v = register_module("to_v", torch::nn::Linear(channels, channels));
  to_out = register_module("to_out", torch::nn::ModuleList());
  to_out->push_back(torch::nn::Linear(channels, channels));
}

at::Tensor MidBlockAttentionImpl::forward(const at::Tensor& x) {
  const std::int64_t batch = x.size(0), channels = x.size(1), height = x.size(2), width = x.size(3);
  const std::int64_t pixels = height * width;
  // [B, C, H, W] → [B, H·W, C]: pixels are the sequence, channels the (single head's) features.
  const at::Tensor tokens = group_norm->forward(x).reshape({batch, channels, pixels}).transpose(1, 2);
  const at::Tensor q = to_q->forward(tokens);
  const at::Tensor k = to_k->forward(tokens);
  const at::Tensor v = to_v->forward(tokens);

  // Scores and softmax in at least float32 (diffusers upcasts this block's softmax); float64 stays float64.
  const at::ScalarType compute = at::promote_types(x.scalar_type(), at::kFloat);
  const at::Tensor k_t = k.to(compute).transpose(1, 2);
  const at::Tensor v_c = v.to(compute);
  const double scale = 1.0 / std::sqrt(static_cast<double>(channels));
  const std::int64_t chunk =
      std::max<std::int64_t>(1, max_scores_per_chunk / std::max<std::int64_t>(1, batch * pixels));
  std::vector<at::Tensor> parts;
  for (std::int64_t start = 0; start < pixels; start += chunk) {
    const at::Tensor q_chunk = q.narrow(1, start, std::min(chunk, pixels - start)).to(compute);
    const at::Tensor probs = at::softmax(at::matmul(q_chunk, k_t).mul_(scale), -1);
    parts.push_back(at::matmul(probs, v_c).to(x.scalar_type()));
  }
  const at::Tensor attended = parts.size() == 1 ? parts.front() : at::cat(parts, 1);

  const auto& proj = to_out->ptr<torch::nn::LinearImpl>(0);
  const at::Tensor out = proj->forward(attended).transpose(1, 2).reshape({batch, channels, height, width});
  return out + x;
}

}  // namespace spstudio::models
