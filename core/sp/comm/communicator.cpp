// SPDX-License-Identifier: Apache-2.0
#include "sp/comm/communicator.h"

#include <numeric>
#include <stdexcept>

namespace spstudio::sp {

void check_all_to_all_splits(const Communicator& c, const at::Tensor& input,
                             const std::vector<std::int64_t>& output_splits,
                             const std::vector<std::int64_t>& input_splits) {
  const std::string where = "all_to_all over " + std::to_string(c.size()) + " rank(s) (" + c.backend() + ")";
  if (input.dim() == 0) throw std::invalid_argument(where + ": the input needs a dimension 0");
  if (output_splits.empty() != input_splits.empty())
    throw std::invalid_argument(where + ": give both input and output splits, or neither");
  if (input_splits.empty()) {
    if (input.size(0) % c.size() != 0)
      throw std::invalid_argument(where + ": dim 0 of size " + std::to_string(input.size(0)) +
                                  " does not split into equal blocks");
    return;
  }
  if (static_cast<int>(input_splits.size()) != c.size() || static_cast<int>(output_splits.size()) != c.size())
    throw std::invalid_argument(where + ": need one split per rank");
  const auto sum = std::accumulate(input_splits.begin(), input_splits.end(), std::int64_t{0});
  if (sum != input.size(0))
    throw std::invalid_argument(where + ": input splits add up to " + std::to_string(sum) + " but dim 0 is " +
                                std::to_string(input.size(0)));
}

void check_peer(const Communicator& c, const P2POp& op) {
  if (op.peer < 0 || op.peer >= c.size())
    throw std::invalid_argument("point-to-point peer " + std::to_string(op.peer) + " is outside the group of " +
                                std::to_string(c.size()));
  if (!op.tensor.defined()) throw std::invalid_argument("point-to-point transfer of an undefined tensor");
  if (op.kind == P2POp::Kind::Recv && !op.tensor.is_contiguous())
    throw std::invalid_argument("a receive buffer must be contiguous");
}

at::Tensor all_to_all_output(const at::Tensor& input, const std::vector<std::int64_t>& output_splits) {
  if (output_splits.empty()) return at::empty_like(input, at::MemoryFormat::Contiguous);
  auto sizes = input.sizes().vec();
  sizes[0] = std::accumulate(output_splits.begin(), output_splits.end(), std::int64_t{0});
  return at::empty(sizes, input.options());
}

}  // namespace spstudio::sp
