// SPDX-License-Identifier: Apache-2.0
// One rank of a multi-process test. Started N times by test_multiprocess.cpp through the local
// launcher; ranks meet through the given rendezvous and talk over Gloo. Prints a "RESULT ..."
// line and exits 0 when its checks pass, 1 when they fail, 2 for bad arguments.
//
//   spstudio_sp_rank --case a2a|ring|dit|manual|flux --rank R --world W --rendezvous ADDR
//                    [--ulysses U] [--ring R] [--grid HxW] [--text T] [--joint-rope] [--kv-heads N]
//                    [--size HxW] [--steps N] [--generate]   (flux: image size, steps, whole generation)
#include <ATen/Parallel.h>

#include <iostream>
#include <stdexcept>
#include <string>

#include "flux_check.h"
#include "sp/attention/attention.h"
#include "sp/comm/sequence_all_to_all.h"
#include "sp/sharding.h"
#include "sp_check.h"

using namespace spstudio;

namespace {

struct Options {
  std::string test_case;
  sp::Rendezvous rendezvous;
  workers::SpCheckOptions check;
  workers::FluxCheckOptions flux;
};

Options parse(int argc, char** argv) {
  Options o;
  o.rendezvous.timeout = std::chrono::seconds(60);
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--case")
      o.test_case = next();
    else if (a == "--rank")
      o.rendezvous.rank = std::stoi(next());
    else if (a == "--world")
      o.rendezvous.world_size = std::stoi(next());
    else if (a == "--rendezvous")
      o.rendezvous.address = next();
    else if (a == "--ulysses")
      o.check.config.ulysses_degree = std::stoi(next());
    else if (a == "--ring")
      o.check.config.ring_degree = std::stoi(next());
    else if (a == "--text")
      o.check.text_tokens = std::stoi(next());
    else if (a == "--kv-heads")
      o.check.kv_heads = std::stoi(next());
    else if (a == "--generate")
      o.flux.generate = true;
    else if (a == "--steps")
      o.flux.steps = std::stoi(next());
    else if (a == "--size") {
      const std::string g = next();
      o.flux.height = std::stoi(g.substr(0, g.find('x')));
      o.flux.width = std::stoi(g.substr(g.find('x') + 1));
    } else if (a == "--joint-rope")
      o.check.joint_rope_table = true;
    else if (a == "--grid") {
      const std::string g = next();
      o.check.grid_h = std::stoi(g.substr(0, g.find('x')));
      o.check.grid_w = std::stoi(g.substr(g.find('x') + 1));
    } else {
      throw std::invalid_argument("unknown argument " + a);
    }
  }
  return o;
}

void check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error("check failed: " + what);
}

/// §6: all-to-all then its inverse is the identity (4-D and 5-D), with the documented layout.
void all_to_all_case(const Options& o) {
  const sp::SpGroups g = sp::init_sp_groups_gloo(o.rendezvous, o.check.config);
  const int u = g.ulysses->size(), rank = g.ulysses->rank();
  const at::Tensor full4 = at::randn({2, 4 * u, 2 * u, 3}, at::detail::createCPUGenerator(5));
  const at::Tensor full5 = at::randn({1, 2 * u, 3, u, 4}, at::detail::createCPUGenerator(6));
  const at::Tensor local4 = sp::sp_shard(full4, 1, rank, u), local5 = sp::sp_shard(full5, 1, rank, u);
  const at::Tensor mid4 = sp::all_to_all_scatter_heads(*g.ulysses, local4, 2);
  check(mid4.equal(full4.narrow(2, rank * 2, 2)), "4-D: rank j holds heads j over the whole sequence");
  check(sp::all_to_all_gather_heads(*g.ulysses, mid4, 2).equal(local4), "4-D round trip");
  const at::Tensor mid5 = sp::all_to_all_scatter_heads(*g.ulysses, local5, 3);
  check(mid5.equal(full5.narrow(3, rank, 1)), "5-D layout");
  check(sp::all_to_all_gather_heads(*g.ulysses, mid5, 3).equal(local5), "5-D round trip");
  std::cout << "RESULT passed=1 ulysses=" << u << "\n";
}

/// Each ring rank receives its left neighbour's tensors, for several hops around the ring.
void ring_case(const Options& o) {
  const sp::SpGroups g = sp::init_sp_groups_gloo(o.rendezvous, o.check.config);
  sp::Communicator& ring = *g.ring;
  const int r = ring.rank(), n = ring.size();
  at::Tensor k = at::full({3}, static_cast<float>(r)), v = at::full({2, 2}, static_cast<float>(100 + r));
  for (int hop = 1; hop < n; ++hop) {
    at::Tensor k_in = at::empty_like(k), v_in = at::empty_like(v);
    ring.batch_isend_irecv({sp::P2POp::send(k, (r + 1) % n, 0), sp::P2POp::send(v, (r + 1) % n, 1),
                            sp::P2POp::recv(k_in, (r + n - 1) % n, 0), sp::P2POp::recv(v_in, (r + n - 1) % n, 1)})
        ->wait();
    const int origin = ((r - hop) % n + n) % n;
    check(k_in.eq(origin).all().item<bool>() && v_in.eq(100 + origin).all().item<bool>(),
          "hop " + std::to_string(hop) + " carries rank " + std::to_string(origin) + "'s block");
    k = k_in;
    v = v_in;
  }
  std::cout << "RESULT passed=1 ring=" << n << "\n";
}

/// Manual (intrusive) SP: sp_shard / attention / sp_gather by hand, checked by ShardingValidator.
void manual_case(const Options& o) {
  const auto ctx = std::make_shared<sp::SpContext>(sp::init_sp_groups_gloo(o.rendezvous, o.check.config),
                                                   sp::SpContext::Mode::Manual);
  at::Generator gen = at::detail::createCPUGenerator(9);
  const at::Tensor q = at::randn({1, 16, 4, 8}, gen), k = at::randn({1, 16, 4, 8}, gen),
                   v = at::randn({1, 16, 4, 8}, gen);
  const at::Tensor jq = at::randn({1, 3, 4, 8}, gen), jk = at::randn({1, 3, 4, 8}, gen),
                   jv = at::randn({1, 3, 4, 8}, gen);
  sp::Attention attention(sp::AttentionOptions{4, 4, 8});
  attention->set_sp_context(ctx);
  sp::ShardingValidator validator;
  at::Tensor image;
  {
    auto scope = validator.track();
    const at::Tensor out =
        attention(sp::sp_shard(*ctx, q, 1, "hidden"), sp::sp_shard(*ctx, k, 1), sp::sp_shard(*ctx, v, 1),
                  sp::AttentionMetadata{jq, jk, jv, sp::JointStrategy::Front});
    image = sp::sp_gather(*ctx, out.narrow(1, 3, out.size(1) - 3), 1, "hidden");
  }
  validator.validate();
  sp::Attention local(sp::AttentionOptions{4, 4, 8});
  const at::Tensor ref = local(q, k, v, sp::AttentionMetadata{jq, jk, jv, sp::JointStrategy::Front}).narrow(1, 3, 16);
  const double diff = (image - ref).abs().max().item<double>();
  check(diff < 1e-5, "manual SP attention equals local attention (max |Δ| " + std::to_string(diff) + ")");
  std::cout << "RESULT passed=1 strategy=" << attention->last_strategy() << " max_abs_diff=" << diff << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  try {
    o = parse(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "spstudio_sp_rank: " << e.what() << "\n";
    return 2;
  }
  at::set_num_threads(1);  // several ranks share the machine's cores
  try {
    if (o.test_case == "a2a") {
      all_to_all_case(o);
    } else if (o.test_case == "ring") {
      ring_case(o);
    } else if (o.test_case == "manual") {
      manual_case(o);
    } else if (o.test_case == "flux") {
      o.flux.config = o.check.config;
      const workers::SpCheckResult r = workers::run_flux_check(o.rendezvous, o.flux);
      std::cout << r.to_line() << "\n";
      return r.passed() ? 0 : 1;
    } else if (o.test_case == "dit") {
      const workers::SpCheckResult r = workers::run_sp_check(o.rendezvous, o.check);
      std::cout << r.to_line() << "\n";
      return r.passed() ? 0 : 1;
    } else {
      std::cerr << "spstudio_sp_rank: unknown --case '" << o.test_case << "'\n";
      return 2;
    }
  } catch (const std::exception& e) {
    std::cerr << "rank " << o.rendezvous.rank << ": " << e.what() << "\n";
    return 1;
  }
  return 0;
}
