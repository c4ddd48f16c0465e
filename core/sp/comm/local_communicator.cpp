// SPDX-License-Identifier: Apache-2.0
#include "sp/comm/local_communicator.h"

#include <map>
#include <stdexcept>

namespace spstudio::sp {
namespace {
class Completed final : public PendingTransfers {
 public:
  void wait() override {}
};
}  // namespace

at::Tensor LocalCommunicator::all_to_all(const at::Tensor& input, const std::vector<std::int64_t>& output_splits,
                                         const std::vector<std::int64_t>& input_splits) {
  check_all_to_all_splits(*this, input, output_splits, input_splits);
  if (!output_splits.empty() && output_splits[0] != input_splits[0])
    throw std::invalid_argument("all_to_all over 1 rank: the output split must equal the input split");
  return input.clone(at::MemoryFormat::Contiguous);
}

std::vector<at::Tensor> LocalCommunicator::all_gather(const at::Tensor& tensor) {
  return {tensor};
}

void LocalCommunicator::broadcast(at::Tensor&, int root) {
  if (root != 0) throw std::invalid_argument("broadcast root " + std::to_string(root) + " in a group of 1");
}

std::unique_ptr<PendingTransfers> LocalCommunicator::batch_isend_irecv(std::vector<P2POp> ops) {
  // Sends to oneself are matched to receives by tag, in order.
  std::multimap<int, at::Tensor> sent;
  for (const P2POp& op : ops) {
    check_peer(*this, op);
    if (op.kind == P2POp::Kind::Send) sent.emplace(op.tag, op.tensor);
  }
  for (P2POp& op : ops) {
    if (op.kind != P2POp::Kind::Recv) continue;
    const auto it = sent.find(op.tag);
    if (it == sent.end())
      throw std::invalid_argument("receive with tag " + std::to_string(op.tag) +
                                  " has no matching send in a group of 1");
    op.tensor.copy_(it->second);
    sent.erase(it);
  }
  return std::make_unique<Completed>();
}

}  // namespace spstudio::sp
