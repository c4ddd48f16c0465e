// SPDX-License-Identifier: Apache-2.0
#include "models/layers/rotary.h"

#include <stdexcept>
#include <string>

namespace spstudio::models {

std::pair<at::Tensor, at::Tensor> rope_tables(const at::Tensor& ids, const std::vector<std::int64_t>& axes_dims,
                                              double theta) {
  if (ids.dim() != 2 || ids.size(1) != static_cast<std::int64_t>(axes_dims.size()))
    throw std::invalid_argument("rope: position ids must be [N, " + std::to_string(axes_dims.size()) + "], got " +
                                std::to_string(ids.dim()) + "-D");
  std::vector<at::Tensor> angles;
  for (std::size_t axis = 0; axis < axes_dims.size(); ++axis) {
    const double dim = static_cast<double>(axes_dims[axis]);
    const at::Tensor exponent = at::arange(0, axes_dims[axis], 2, at::TensorOptions().dtype(at::kDouble)).div(dim);
    const at::Tensor inv_freq = at::pow(theta, exponent).reciprocal();  // [dim / 2]
    const at::Tensor pos = ids.select(1, static_cast<std::int64_t>(axis)).to(at::kDouble);
    angles.push_back((pos.unsqueeze(1) * inv_freq.unsqueeze(0)).repeat_interleave(2, 1));
  }
  const at::Tensor a = at::cat(angles, 1);
  const at::ScalarType dtype = at::isFloatingType(ids.scalar_type()) ? ids.scalar_type() : at::kFloat;
  return {a.cos().to(dtype), a.sin().to(dtype)};
}

at::Tensor apply_rope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  const at::Tensor pairs = x.unflatten(-1, {x.size(-1) / 2, 2});
  const at::Tensor rotated = at::stack({pairs.select(-1, 1).neg(), pairs.select(-1, 0)}, -1).flatten(-2);
  const auto c = cos.unsqueeze(0).unsqueeze(2), s = sin.unsqueeze(0).unsqueeze(2);  // [1, S, 1, D]
  return (x.to(cos.scalar_type()) * c + rotated.to(cos.scalar_type()) * s).to(x.scalar_type());
}

}  // namespace spstudio::models
