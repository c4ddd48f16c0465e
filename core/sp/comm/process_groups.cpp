// SPDX-License-Identifier: Apache-2.0
#include "sp/comm/process_groups.h"

#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <stdexcept>

#include "sp/comm/gloo_communicator.h"
#include "sp/comm/local_communicator.h"
#include "sp/errors.h"

namespace spstudio::sp {
namespace {

c10::intrusive_ptr<c10d::Store> connect_store(const Rendezvous& r) {
  const std::string& a = r.address;
  try {
    if (a.rfind("file://", 0) == 0) return c10::make_intrusive<c10d::FileStore>(a.substr(7), r.world_size);
    if (a.rfind("tcp://", 0) == 0) {
      const std::string host_port = a.substr(6);
      const auto colon = host_port.rfind(':');
      if (colon == std::string::npos) throw std::invalid_argument("missing port");
      c10d::TCPStoreOptions options;
      options.port = static_cast<std::uint16_t>(std::stoi(host_port.substr(colon + 1)));
      options.isServer = r.rank == 0;
      options.numWorkers = r.world_size;
      options.timeout = r.timeout;
      return c10::make_intrusive<c10d::TCPStore>(host_port.substr(0, colon), options);
    }
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("rendezvous address '" + a + "': " + e.what());
  } catch (const std::exception& e) {
    throw CommunicationError("rank " + std::to_string(r.rank) + " could not reach the rendezvous store at '" + a +
                             "': " + e.what());
  }
  throw std::invalid_argument("rendezvous address '" + a + "' must start with tcp:// or file://");
}

std::string group_text(const std::vector<int>& ranks) {
  std::string out = "{";
  for (std::size_t i = 0; i < ranks.size(); ++i)
    out += (i ? "," : "") + std::to_string(ranks[i]);
  return out + "}";
}

}  // namespace

CommunicatorFactory gloo_communicators(std::chrono::milliseconds timeout) {
  return [timeout](const c10::intrusive_ptr<c10d::Store>& store, int group_rank, int group_size,
                   const std::string& label) -> CommunicatorPtr {
    return std::make_shared<GlooCommunicator>(store, group_rank, group_size, timeout, label);
  };
}

SpGroups init_sp_groups(const c10::intrusive_ptr<c10d::Store>& store, int rank, int world_size,
                        const ParallelConfig& config, const CommunicatorFactory& make_communicator) {
  validate_parallel_config(config, world_size, rank);
  SpGroups g;
  g.config = config;
  g.layout = sp_rank_layout(config, rank);
  auto make = [&](const std::string& prefix, const std::vector<int>& ranks, int group_rank,
                  const std::string& label) -> CommunicatorPtr {
    if (ranks.size() == 1) return std::make_shared<LocalCommunicator>();
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>(prefix, store);
    return make_communicator(prefixed, group_rank, static_cast<int>(ranks.size()),
                             label + " " + group_text(ranks) + " at rank " + std::to_string(rank));
  };
  std::vector<int> all(world_size);
  for (int i = 0; i < world_size; ++i)
    all[i] = i;
  // Every rank creates its groups in the same order (SP, Ulysses, ring), so rendezvous cannot deadlock.
  g.sp = make("sp", all, rank, "SP group");
  g.ulysses = config.ulysses_degree == world_size
                  ? g.sp
                  : make("ulysses" + std::to_string(g.layout.ring_rank), g.layout.ulysses_group, g.layout.ulysses_rank,
                         "Ulysses group");
  g.ring = config.ring_degree == world_size ? g.sp
                                            : make("ring" + std::to_string(g.layout.ulysses_rank), g.layout.ring_group,
                                                   g.layout.ring_rank, "ring group");
  // Return only once every rank has finished every rendezvous: a rank that went ahead and failed
  // (or exited) would otherwise close connections a slower peer is still setting up.
  g.sp->barrier();
  return g;
}

SpGroups init_sp_groups_gloo(const c10::intrusive_ptr<c10d::Store>& store, int rank, int world_size,
                             const ParallelConfig& config, std::chrono::milliseconds timeout) {
  return init_sp_groups(store, rank, world_size, config, gloo_communicators(timeout));
}

SpGroups init_sp_groups_gloo(const Rendezvous& r, const ParallelConfig& config) {
  validate_parallel_config(config, r.world_size, r.rank);
  return init_sp_groups_gloo(connect_store(r), r.rank, r.world_size, config, r.timeout);
}

SpGroups single_process_groups() {
  SpGroups g;
  g.layout = sp_rank_layout(g.config, 0);
  g.sp = g.ulysses = g.ring = std::make_shared<LocalCommunicator>();
  return g;
}

}  // namespace spstudio::sp
