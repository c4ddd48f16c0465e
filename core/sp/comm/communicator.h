// SPDX-License-Identifier: Apache-2.0
// The collectives sequence parallelism needs, over one process group. Ranks are group ranks.
// Implementations: LocalCommunicator (a group of one), GlooCommunicator (c10d ProcessGroupGloo,
// CPU tensors, CUDA ones staged through the host), cuda::NcclCommunicator (CUDA tensors, NCCL). Every call is
// collective over the group unless it says otherwise.
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <vector>

namespace spstudio::sp {

/// One point-to-point transfer in a batch. `tag` tells apart several transfers between the same
/// pair in one batch (e.g. K = 0, V = 1); both sides must use the same tags.
struct P2POp {
  enum class Kind { Send, Recv };
  Kind kind;
  at::Tensor tensor;  ///< Send: the data; Recv: the (contiguous) buffer to fill
  int peer = 0;
  int tag = 0;

  static P2POp send(at::Tensor t, int peer, int tag = 0) { return {Kind::Send, std::move(t), peer, tag}; }
  static P2POp recv(at::Tensor t, int peer, int tag = 0) { return {Kind::Recv, std::move(t), peer, tag}; }
};

/// Transfers in flight; wait() returns once all have completed (receive buffers are filled).
class PendingTransfers {
 public:
  virtual ~PendingTransfers() = default;
  virtual void wait() = 0;
};

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual std::string backend() const = 0;  ///< "local", "gloo", "nccl"

  /// All-to-all along dim 0. With empty splits the input's dim 0 is cut into size() equal blocks,
  /// block j goes to rank j, and the output has the input's shape. With splits, input_splits[j]
  /// rows go to rank j and output_splits[i] rows come from rank i.
  virtual at::Tensor all_to_all(const at::Tensor& input, const std::vector<std::int64_t>& output_splits = {},
                                const std::vector<std::int64_t>& input_splits = {}) = 0;
  /// Every rank's tensor (equal shapes), in rank order.
  virtual std::vector<at::Tensor> all_gather(const at::Tensor& tensor) = 0;
  /// Overwrites `tensor` with the root's.
  virtual void broadcast(at::Tensor& tensor, int root) = 0;
  virtual void barrier() = 0;
  /// Posts every transfer and returns without waiting; not collective (only the peers take part).
  virtual std::unique_ptr<PendingTransfers> batch_isend_irecv(std::vector<P2POp> ops) = 0;
};

using CommunicatorPtr = std::shared_ptr<Communicator>;

/// Checks shared by implementations; throw std::invalid_argument naming the collective.
void check_all_to_all_splits(const Communicator& c, const at::Tensor& input,
                             const std::vector<std::int64_t>& output_splits,
                             const std::vector<std::int64_t>& input_splits);
void check_peer(const Communicator& c, const P2POp& op);

/// The output tensor of an all-to-all (shape from the splits).
at::Tensor all_to_all_output(const at::Tensor& input, const std::vector<std::int64_t>& output_splits);

}  // namespace spstudio::sp
