// SPDX-License-Identifier: Apache-2.0
// The rendezvous of the worker pool and its sequence-parallel groups. Rank 0 serves a c10d
// TCPStore on 127.0.0.1:PORT that every rank joins once; each job names its (Ulysses, ring)
// degrees, and the groups for a configuration are built on first use under their own store
// prefix ("u2r1/…") so configurations never share keys, then kept for later jobs.
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
  /// `rendezvous_timeout`) and builds the (world, 1) groups, whose SP group is the control group.
  /// Throws WorkerError(CommunicatorInit) naming the address and what failed.
  WorkerGroups(int rank, int world, int store_port, std::chrono::milliseconds rendezvous_timeout,
               std::chrono::milliseconds collective_timeout);

  int rank() const { return rank_; }
  int world() const { return world_; }
  std::string backend() const { return world_ == 1 ? "local" : "gloo"; }

  /// The context of `config`'s groups, built on first use (a collective: every rank asks for the
  /// same configurations in the same order, which holds because every rank runs the same jobs).
  /// Throws WorkerError(PlanInvalid) when U·R is not the world size, with the degrees that fit.
  sp::SpContextPtr context(const ParallelConfig& config);

  /// Every rank of the pool: where ranks agree on cancels and on job preparation.
  sp::Communicator& control() { return control_->sp_group(); }

 private:
  int rank_, world_;
  std::chrono::milliseconds collective_timeout_;
  c10::intrusive_ptr<c10d::Store> store_;
  std::map<std::pair<int, int>, sp::SpContextPtr> contexts_;
  sp::SpContextPtr control_;
};

}  // namespace spstudio::workers
