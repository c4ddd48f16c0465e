// SPDX-License-Identifier: Apache-2.0
// A group of one process: every collective is the identity. Used for P = 1 and for the size-1
// Ulysses or ring groups of pure configurations, so code paths stay the same.
#pragma once

#include "sp/comm/communicator.h"

namespace spstudio::sp {

class LocalCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string backend() const override { return "local"; }
  at::Tensor all_to_all(const at::Tensor& input, const std::vector<std::int64_t>& output_splits = {},
                        const std::vector<std::int64_t>& input_splits = {}) override;
  std::vector<at::Tensor> all_gather(const at::Tensor& tensor) override;
  void broadcast(at::Tensor& tensor, int root) override;
  void barrier() override {}
  std::unique_ptr<PendingTransfers> batch_isend_irecv(std::vector<P2POp> ops) override;
};

}  // namespace spstudio::sp
