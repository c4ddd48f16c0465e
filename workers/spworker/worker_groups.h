// SPDX-License-Identifier: Apache-2.0
// The rendezvous of the worker pool and its sequence-parallel groups. Rank 0 serves a c10d
// TCPStore on 127.0.0.1:PORT that every rank joins once; each job names its (Ulysses, ring)
// degrees, and the groups for a configuration are built on first use under their own store
// prefix ("u2r1/…") so configurations never share keys, then kept for later jobs. The jobs' groups
// use the rank's backend (Gloo, or NCCL on one GPU per rank); the control group, where ranks agree
// on cancels and job preparation with small host tensors, is always Gloo.
#pragma once

#include <torch/csrc/distributed/c10d/Store.hpp>

#include <chrono>
#include <map>
#include <utility>

#include "common/parallel_config.h"
#include "sp/sp_context.h"

namespace spstudio::workers {

class WorkerGroups {
 public:
  /// world 1: local groups, no store. Otherwise joins the store (rank 0 waits for every rank up to
  /// `rendezvous_timeout`) and builds the control group: the Gloo (world, 1) groups, which are also
  /// the jobs' (world, 1) groups when `backend` is "gloo". `backend` "nccl" needs `cuda_device`.
  /// Throws WorkerError(CommunicatorInit) naming the address and what failed.
  WorkerGroups(int rank, int world, int store_port, std::chrono::milliseconds rendezvous_timeout,
               std::chrono::milliseconds collective_timeout, std::string backend = "gloo", int cuda_device = -1);

  int rank() const { return rank_; }
  int world() const { return world_; }
  /// The communicator of the jobs' groups: "local", "gloo" or "nccl".
  const std::string& backend() const { return backend_; }

  /// The context of `config`'s groups, built on first use (a collective: every rank asks for the
  /// same configurations in the same order, which holds because every rank runs the same jobs).
  /// Throws WorkerError(PlanInvalid) when U·R is not the world size, with the degrees that fit.
  sp::SpContextPtr context(const ParallelConfig& config);

  /// Every rank of the pool: where ranks agree on cancels and on job preparation.
  sp::Communicator& control() { return control_->sp_group(); }

 private:
  sp::SpContextPtr build(const ParallelConfig& config, const std::string& prefix, const std::string& backend);

  int rank_, world_;
  std::chrono::milliseconds collective_timeout_;
  std::string backend_;
  int cuda_device_;
  c10::intrusive_ptr<c10d::Store> store_;
  std::map<std::pair<int, int>, sp::SpContextPtr> contexts_;
  sp::SpContextPtr control_;
};

}  // namespace spstudio::workers
