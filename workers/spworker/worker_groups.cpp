// SPDX-License-Identifier: Apache-2.0
#include "worker_groups.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "worker_error.h"

#if SPSTUDIO_TORCH_CUDA
#include "sp/cuda/nccl_groups.h"
#endif

namespace spstudio::workers {

WorkerGroups::WorkerGroups(int rank, int world, int store_port, std::chrono::milliseconds rendezvous_timeout,
                           std::chrono::milliseconds collective_timeout, std::string backend, int cuda_device)
    : rank_(rank),
      world_(world),
      collective_timeout_(collective_timeout),
      backend_(world == 1 ? "local" : std::move(backend)),
      cuda_device_(cuda_device) {
  if (backend_ != "local" && backend_ != "gloo" && backend_ != "nccl")
    throw std::invalid_argument("unknown communicator backend '" + backend_ + "'");
  if (world == 1) {
    control_ = std::make_shared<sp::SpContext>(sp::single_process_groups());
    contexts_[{1, 1}] = control_;
    return;
  }
  const std::string address = "127.0.0.1:" + std::to_string(store_port);
  try {
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(store_port);
    options.isServer = rank == 0;
    options.numWorkers = static_cast<std::size_t>(world);
    options.waitWorkers = true;  // rank 0 returns once every rank has joined (or the timeout passed)
    options.timeout = rendezvous_timeout;
    store_ = c10::make_intrusive<c10d::TCPStore>("127.0.0.1", options);
    // From here on store waits happen while a peer may still be busy (decoding, loading a model):
    // they get the collective timeout, not the rendezvous one.
    store_->setTimeout(collective_timeout);
  } catch (const std::exception& e) {
    throw WorkerError(wire::ExitCode::CommunicatorInit,
                      "rank " + std::to_string(rank) + (rank == 0 ? " could not serve" : " could not join") +
                          " the rendezvous store at " + address + " within " +
                          std::to_string(rendezvous_timeout.count()) + " ms: " + e.what());
  }
  try {
    control_ =
        backend_ == "gloo" ? context(ParallelConfig{world, 1}) : build(ParallelConfig{world, 1}, "control", "gloo");
  } catch (const WorkerError&) {
    throw;
  } catch (const std::exception& e) {
    throw WorkerError(
        wire::ExitCode::CommunicatorInit,
        "rank " + std::to_string(rank) + " could not set up the Gloo groups through " + address + ": " + e.what());
  }
}

sp::SpContextPtr WorkerGroups::context(const ParallelConfig& config) {
  const auto key = std::make_pair(config.ulysses_degree, config.ring_degree);
  if (const auto it = contexts_.find(key); it != contexts_.end()) return it->second;
  if (const std::string problem = check_parallel_config(config, world_); !problem.empty())
    throw WorkerError(wire::ExitCode::PlanInvalid, problem);
  const std::string prefix = "u" + std::to_string(config.ulysses_degree) + "r" + std::to_string(config.ring_degree);
  auto context = build(config, prefix, backend_);
  contexts_[key] = context;
  return context;
}

sp::SpContextPtr WorkerGroups::build(const ParallelConfig& config, const std::string& prefix,
                                     const std::string& backend) {
  auto store = c10::make_intrusive<c10d::PrefixStore>(prefix, store_);
#if SPSTUDIO_TORCH_CUDA
  if (backend == "nccl")
    return std::make_shared<sp::SpContext>(sp::init_sp_groups(
        store, rank_, world_, config, sp::cuda::nccl_communicators(cuda_device_, collective_timeout_)));
#endif
  if (backend != "gloo")
    throw WorkerError(wire::ExitCode::CommunicatorInit, "this spworker was built without NCCL (" + backend + ")");
  return std::make_shared<sp::SpContext>(sp::init_sp_groups_gloo(store, rank_, world_, config, collective_timeout_));
}

}  // namespace spstudio::workers
