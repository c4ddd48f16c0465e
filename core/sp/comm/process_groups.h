// SPDX-License-Identifier: Apache-2.0
// The sequence-parallel group and its Ulysses and ring subgroups (SP_SEMANTICS.md §4), set up by
// rendezvous through a c10d store: a TCPStore (rank 0 serves) or a FileStore (a shared file).
#pragma once

#include <torch/csrc/distributed/c10d/Store.hpp>

#include <chrono>
#include <functional>
#include <string>

#include "common/parallel_config.h"
#include "sp/comm/communicator.h"

namespace spstudio::sp {

struct SpGroups {
  ParallelConfig config;
  SpRankLayout layout;
  CommunicatorPtr sp;       ///< all U·R ranks; rank k holds sequence chunk k
  CommunicatorPtr ulysses;  ///< this rank's Ulysses group (contiguous ranks)
  CommunicatorPtr ring;     ///< this rank's ring group (ranks strided by U)
};

/// Where and how ranks meet: "tcp://HOST:PORT" (rank 0 serves the store) or "file://PATH".
struct Rendezvous {
  std::string address;
  int rank = 0;
  int world_size = 1;
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
};

/// Makes the communicator of one subgroup of two or more ranks: `store` is already prefixed for
/// the group, `label` ("Ulysses group {0,1} at rank 1") names it in errors.
using CommunicatorFactory = std::function<CommunicatorPtr(const c10::intrusive_ptr<c10d::Store>& store, int group_rank,
                                                          int group_size, const std::string& label)>;

/// Gloo communicators (CPU tensors; CUDA tensors staged through host memory).
CommunicatorFactory gloo_communicators(std::chrono::milliseconds timeout);

/// Validates world, rank and degrees (std::invalid_argument with a readable reason), then builds
/// the groups with `make` (Gloo, or NCCL from sp/cuda/nccl_groups.h). Size-1 subgroups are
/// LocalCommunicators; a subgroup spanning the whole SP group shares its communicator. Returns
/// after a barrier: every rank's groups are ready.
SpGroups init_sp_groups(const c10::intrusive_ptr<c10d::Store>& store, int rank, int world_size,
                        const ParallelConfig& config, const CommunicatorFactory& make);

/// Validates world, rank and degrees (std::invalid_argument with a readable reason), then builds
/// Gloo groups. Size-1 subgroups are LocalCommunicators; a subgroup spanning the whole SP group
/// shares its communicator. Returns after a barrier: every rank's groups are ready.
SpGroups init_sp_groups_gloo(const Rendezvous& rendezvous, const ParallelConfig& config);

/// The same from a store the caller made (threads of one process can share a HashStore).
SpGroups init_sp_groups_gloo(const c10::intrusive_ptr<c10d::Store>& store, int rank, int world_size,
                             const ParallelConfig& config, std::chrono::milliseconds timeout);

/// P = 1: every group is a LocalCommunicator.
SpGroups single_process_groups();

}  // namespace spstudio::sp
