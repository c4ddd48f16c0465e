// SPDX-License-Identifier: Apache-2.0
// Communicators (Gloo over threads, local), process-group layout (§4) and the Ulysses
// all-to-alls. The same collectives run across real processes in tests/multiprocess.
#include <gtest/gtest.h>

#include <filesystem>

#include "error_text.h"
#include "sp/comm/local_communicator.h"
#include "sp/comm/process_groups.h"
#include "sp/comm/sequence_all_to_all.h"
#include "sp/errors.h"
#include "thread_ranks.h"

namespace spstudio::sp {
namespace {

using testing::error_of;

using testing::run_ranks;

void require(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what);
}

TEST(GlooCommunicator, AllToAllWithEqualSplits) {
  run_ranks({4, 1}, [](int rank, SpGroups& g) {
    // Block j of rank r holds 10·r + j; after the exchange block i holds 10·i + rank.
    const at::Tensor send = (at::arange(4) + 10 * rank).view({4, 1}).repeat({1, 3}).to(at::kFloat);
    const at::Tensor recv = g.sp->all_to_all(send);
    const at::Tensor expected = (at::arange(4) * 10 + rank).view({4, 1}).repeat({1, 3}).to(at::kFloat);
    require(recv.equal(expected), "all_to_all result");
  });
}

TEST(GlooCommunicator, AllToAllWithUnequalSplits) {
  run_ranks({3, 1}, [](int rank, SpGroups& g) {
    // Every rank sends j + 1 rows to rank j, each row holding (source, destination).
    std::vector<at::Tensor> blocks;
    for (int j = 0; j < 3; ++j)
      blocks.push_back(at::tensor({rank, j}).repeat({j + 1, 1}));
    const std::vector<std::int64_t> in_splits{1, 2, 3}, out_splits(3, rank + 1);
    const at::Tensor recv = g.sp->all_to_all(at::cat(blocks), out_splits, in_splits);
    require(recv.size(0) == 3 * (rank + 1), "rows received");
    for (int i = 0; i < 3; ++i)
      require(recv.narrow(0, i * (rank + 1), rank + 1).equal(at::tensor({i, rank}).repeat({rank + 1, 1})),
              "block from rank " + std::to_string(i));
  });
}

TEST(GlooCommunicator, AllGatherBroadcastBarrier) {
  run_ranks({2, 1}, [](int rank, SpGroups& g) {
    const auto all = g.sp->all_gather(at::full({2, 2}, static_cast<float>(rank)));
    require(all.size() == 2 && all[0].eq(0).all().item<bool>() && all[1].eq(1).all().item<bool>(), "all_gather");
    at::Tensor t = at::full({3}, static_cast<float>(rank + 5));
    g.sp->broadcast(t, 1);
    require(t.eq(6).all().item<bool>(), "broadcast from rank 1");
    g.sp->barrier();
  });
}

TEST(GlooCommunicator, RingNeighbourExchangeWithTags) {
  run_ranks({1, 4}, [](int rank, SpGroups& g) {
    Communicator& ring = *g.ring;
    const int next = (rank + 1) % 4, prev = (rank + 3) % 4;
    for (int round = 0; round < 3; ++round) {  // batches keep their own tags apart
      at::Tensor k_in = at::empty({2}), v_in = at::empty({2});
      auto pending = ring.batch_isend_irecv({P2POp::send(at::full({2}, rank * 1.0 + round), next, 0),
                                             P2POp::send(at::full({2}, rank * 100.0 + round), next, 1),
                                             P2POp::recv(k_in, prev, 0), P2POp::recv(v_in, prev, 1)});
      pending->wait();
      require(k_in.eq(prev * 1.0 + round).all().item<bool>(), "k from the left neighbour");
      require(v_in.eq(prev * 100.0 + round).all().item<bool>(), "v from the left neighbour");
    }
  });
}

TEST(LocalCommunicator, IsTheIdentityGroupOfOne) {
  LocalCommunicator c;
  const at::Tensor t = at::randn({4, 3});
  EXPECT_TRUE(c.all_to_all(t).equal(t));
  EXPECT_TRUE(c.all_to_all(t, {4}, {4}).equal(t));
  EXPECT_EQ(c.all_gather(t).size(), 1u);
  at::Tensor b = t.clone();
  c.broadcast(b, 0);
  EXPECT_TRUE(b.equal(t));
  EXPECT_THROW(c.broadcast(b, 1), std::invalid_argument);
  at::Tensor r0 = at::empty({4, 3}), r1 = at::empty({4, 3});
  c.batch_isend_irecv({P2POp::send(t, 0, 1), P2POp::send(t * 2, 0, 0), P2POp::recv(r0, 0, 0), P2POp::recv(r1, 0, 1)})
      ->wait();
  EXPECT_TRUE(r0.equal(t * 2));
  EXPECT_TRUE(r1.equal(t));
  EXPECT_EQ(error_of([&] { c.batch_isend_irecv({P2POp::send(t, 1)}); }),
            "point-to-point peer 1 is outside the group of 1");
}

TEST(Communicator, SplitChecksNameTheCollective) {
  LocalCommunicator c;
  EXPECT_EQ(error_of([&] { c.all_to_all(at::zeros({4}), {4}, {}); }),
            "all_to_all over 1 rank(s) (local): give both input and output splits, or neither");
  EXPECT_EQ(error_of([&] { c.all_to_all(at::zeros({4}), {3}, {3}); }),
            "all_to_all over 1 rank(s) (local): input splits add up to 3 but dim 0 is 4");
}

TEST(ProcessGroups, UlyssesContiguousRingStrided) {
  for (const ParallelConfig c : {ParallelConfig{2, 2}, {4, 1}, {1, 4}, {2, 1}}) {
    run_ranks(c, [&](int rank, SpGroups& g) {
      const SpRankLayout expected = sp_rank_layout(c, rank);
      auto members = [&](Communicator& group) {
        std::vector<int> out;
        for (const at::Tensor& t : group.all_gather(at::full({1}, rank, at::kInt)))
          out.push_back(t.item<int>());
        return out;
      };
      require(g.sp->size() == c.sp_size() && g.sp->rank() == rank, "SP group");
      require(g.ulysses->rank() == expected.ulysses_rank && members(*g.ulysses) == expected.ulysses_group,
              "Ulysses group of rank " + std::to_string(rank));
      require(g.ring->rank() == expected.ring_rank && members(*g.ring) == expected.ring_group,
              "ring group of rank " + std::to_string(rank));
      require(c.ulysses_degree > 1 || g.ulysses->backend() == "local", "a Ulysses group of one is local");
    });
  }
}

TEST(ProcessGroups, BadWorldRankAndDegreesAreRefusedWithAReason) {
  const std::string store = "file://" + (std::filesystem::temp_directory_path() / "spstudio-unused-store").string();
  EXPECT_EQ(error_of([&] {
              init_sp_groups_gloo(Rendezvous{store, 0, 4}, {2, 1});
            }),
            "ulysses_degree × ring_degree = 2 × 1 = 2 must equal the 4 worker process(es); degrees whose product is 4 "
            "use ulysses_degree in {1, 2, 4}");
  EXPECT_EQ(error_of([&] {
              init_sp_groups_gloo(Rendezvous{store, 4, 4}, {2, 2});
            }),
            "rank 4 is outside the world of 4 process(es) (valid: 0..3)");
  EXPECT_EQ(error_of([&] {
              init_sp_groups_gloo(Rendezvous{"udp://x", 0, 1}, {1, 1});
            }),
            "rendezvous address 'udp://x' must start with tcp:// or file://");
  EXPECT_EQ(error_of([&] {
              init_sp_groups_gloo(Rendezvous{"tcp://127.0.0.1", 0, 1}, {1, 1});
            }),
            "rendezvous address 'tcp://127.0.0.1': missing port");
}

// §6: all-to-all followed by its inverse is the identity, for U = 2 and 4, 4-D and 5-D; the
// intermediate is [B, S, H/U, D] holding this rank's heads over the whole sequence.
TEST(SequenceAllToAll, ForwardThenInverseIsTheIdentity) {
  for (const int u : {2, 4}) {
    const at::Tensor full4 = at::randn({2, 8, 8, 3});     // [B, S, H, D]
    const at::Tensor full5 = at::randn({2, 8, 3, 8, 3});  // [B, S, 3, H, D]
    run_ranks({u, 1}, [&](int rank, SpGroups& g) {
      const std::int64_t sl = 8 / u, hl = 8 / u;
      const at::Tensor local4 = full4.narrow(1, rank * sl, sl);
      const at::Tensor mid4 = all_to_all_scatter_heads(*g.ulysses, local4, 2);
      require(mid4.sizes() == at::IntArrayRef({2, 8, hl, 3}), "4-D intermediate shape");
      require(mid4.equal(full4.narrow(2, rank * hl, hl)), "rank j holds heads j over the whole sequence");
      require(all_to_all_gather_heads(*g.ulysses, mid4, 2).equal(local4), "4-D round trip");

      const at::Tensor local5 = full5.narrow(1, rank * sl, sl);
      const at::Tensor mid5 = all_to_all_scatter_heads(*g.ulysses, local5, 3);
      require(mid5.equal(full5.narrow(3, rank * hl, hl)), "5-D intermediate");
      require(all_to_all_gather_heads(*g.ulysses, mid5, 3).equal(local5), "5-D round trip");
      // One stacked all-to-all equals three 4-D ones.
      const auto parts = mid5.unbind(2);
      require(parts[1].equal(all_to_all_scatter_heads(*g.ulysses, local5.select(2, 1), 2)), "stacked = separate");
    });
  }
}

TEST(SequenceAllToAll, HeadsMustDivide) {
  run_ranks({4, 1}, [](int, SpGroups& g) {
    const std::string e = error_of([&] { all_to_all_scatter_heads(*g.ulysses, at::zeros({1, 2, 6, 4}), 2); });
    require(e == "Ulysses all-to-all: 6 heads cannot be split over ulysses_degree 4; use ulysses_degree in {1, 2, 3, "
                 "6} and make up the rest with ring_degree",
            e);
  });
}

}  // namespace
}  // namespace spstudio::sp
