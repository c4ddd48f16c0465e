// SPDX-License-Identifier: Apache-2.0
// Communicator over NCCL, for CUDA tensors on one GPU per rank (SP_SEMANTICS.md §4-5).
//
// Streams: every NCCL operation runs on the communicator's own high-priority, non-blocking
// communication stream. It first waits (cudaStreamWaitEvent) for an event recorded on the compute
// stream (cuda::current_stream), so it sees the tensors compute produced; compute then waits for an
// event recorded after the operation. Collectives return with that wait already enqueued: the host
// never blocks. batch_isend_irecv returns before compute waits; PendingTransfers::wait() enqueues
// the wait, so the next ring block's K/V travel while the current block computes. Tensors an
// operation reads or writes stay referenced until compute has waited for it, so LibTorch's caching
// allocator cannot hand their memory to compute early.
//
// Failures: the communicator is created non-blocking (ncclConfig_t::blocking = 0); the host polls
// ncclCommGetAsyncError while it waits (initialisation, barrier, synchronize) and, when the
// deadline passes or a peer failed, aborts the communicator (ncclCommAbort) and throws
// CommunicationError naming the group, the operation and what to check. After an abort every call
// throws at once.
//
// Rendezvous: rank 0 creates the NCCL unique id and publishes it in the c10d store (the TCPStore
// the workers already share) under "nccl_unique_id"; the others read it there.
#pragma once

#include <torch/csrc/distributed/c10d/Store.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "sp/comm/communicator.h"

namespace spstudio::sp::cuda {

struct NcclOptions {
  int device = 0;  ///< this rank's CUDA device; every tensor passed in must live on it
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};  ///< initialisation and any host-side wait
  std::string name = "NCCL group";  ///< "SP group {0,1} at rank 1": goes into every error message
};

class NcclCommunicator final : public Communicator {
 public:
  /// Collective over the `size` ranks that use the same `store` (prefix it per group). Throws
  /// CommunicationError (rendezvous, init failure, timeout) or cuda::CudaError (no such device).
  NcclCommunicator(const c10::intrusive_ptr<c10d::Store>& store, int rank, int size, NcclOptions options);
  ~NcclCommunicator() override;
  NcclCommunicator(const NcclCommunicator&) = delete;
  NcclCommunicator& operator=(const NcclCommunicator&) = delete;

  int rank() const override;
  int size() const override;
  std::string backend() const override { return "nccl"; }

  at::Tensor all_to_all(const at::Tensor& input, const std::vector<std::int64_t>& output_splits = {},
                        const std::vector<std::int64_t>& input_splits = {}) override;
  std::vector<at::Tensor> all_gather(const at::Tensor& tensor) override;
  void broadcast(at::Tensor& tensor, int root) override;
  /// Host-blocking: returns once every rank reached it (and all earlier work finished), or throws.
  void barrier() override;
  /// Tags are not sent: NCCL pairs transfers between two ranks in the order they are posted, so
  /// both sides must post their tags in the same order (ring attention does: K then V).
  std::unique_ptr<PendingTransfers> batch_isend_irecv(std::vector<P2POp> ops) override;

  /// Blocks the host until every operation enqueued so far has finished (polling for peer
  /// failures), or the timeout passes: then aborts and throws CommunicationError.
  void synchronize();
  /// Aborts the communicator (idempotent); later calls throw CommunicationError.
  void abort();
  bool aborted() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace spstudio::sp::cuda
