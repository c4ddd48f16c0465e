// SPDX-License-Identifier: Apache-2.0
// Communicator over c10d's ProcessGroupGloo (TCP between processes or threads). It moves host
// memory: CUDA tensors are staged through the host (copied out before, back after), which is how
// several ranks sharing one GPU, where NCCL cannot run, still test multi-rank SP on CUDA.
#pragma once

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/Store.hpp>

#include <chrono>
#include <cstdint>

#include "sp/comm/communicator.h"

namespace spstudio::sp {

class GlooCommunicator final : public Communicator {
 public:
  /// Rendezvous with the other `size` - 1 members through `store` (blocks until all arrive or
  /// `timeout` passes). `name` ("ulysses group 1") goes into every error message.
  GlooCommunicator(const c10::intrusive_ptr<c10d::Store>& store, int rank, int size, std::chrono::milliseconds timeout,
                   std::string name);

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string backend() const override { return "gloo"; }

  at::Tensor all_to_all(const at::Tensor& input, const std::vector<std::int64_t>& output_splits = {},
                        const std::vector<std::int64_t>& input_splits = {}) override;
  std::vector<at::Tensor> all_gather(const at::Tensor& tensor) override;
  void broadcast(at::Tensor& tensor, int root) override;
  void barrier() override;
  std::unique_ptr<PendingTransfers> batch_isend_irecv(std::vector<P2POp> ops) override;

 private:
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group_;
  int rank_;
  int size_;
  std::chrono::milliseconds timeout_;
  std::string name_;
  std::uint32_t p2p_batches_ = 0;  // identical sequence on every peer: part of each gloo tag
};

}  // namespace spstudio::sp
