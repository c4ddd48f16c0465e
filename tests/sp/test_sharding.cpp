// SPDX-License-Identifier: Apache-2.0
// SP_SEMANTICS.md §3: sp_shard, sp_shard_with_padding, sp_gather, ShardingValidator.
#include <gtest/gtest.h>

#include "error_text.h"
#include "sp/comm/local_communicator.h"
#include "sp/errors.h"
#include "sp/sharding.h"
#include "thread_ranks.h"

namespace spstudio::sp {
namespace {

using testing::error_of;

TEST(SpShard, RankKOwnsContiguousRows) {
  const at::Tensor t = at::arange(24).view({2, 12});
  for (int rank = 0; rank < 4; ++rank) {
    const at::Tensor s = sp_shard(t, 1, rank, 4);
    EXPECT_TRUE(s.equal(t.narrow(1, rank * 3, 3))) << rank;
    EXPECT_TRUE(s.is_contiguous());
  }
  EXPECT_TRUE(sp_shard(t, -1, 1, 2).equal(t.narrow(1, 6, 6)));
}

TEST(SpShard, SizeOneReturnsTheSameTensor) {
  const at::Tensor t = at::arange(5);
  EXPECT_TRUE(sp_shard(t, 0, 0, 1).is_same(t));
  EXPECT_TRUE(sp_shard_with_padding(t, 0, 0, 1).shard.is_same(t));
}

TEST(SpShard, AShardOwnsItsStorage) {
  const at::Tensor t = at::arange(8.0).view({1, 8, 1});  // narrowing dim 1 of batch 1 is already contiguous
  const at::Tensor s = sp_shard(t, 1, 1, 2);
  EXPECT_FALSE(s.storage().is_alias_of(t.storage()));
  EXPECT_EQ(s.storage().nbytes(), s.numel() * s.element_size());
}

TEST(SpShard, StrictErrorsSayWhy) {
  EXPECT_EQ(error_of([] { sp_shard(at::zeros({10}), 0, 0, 4); }),
            "sp_shard: size 10 along dim 0 is not divisible by the sequence-parallel size 4");
  EXPECT_EQ(error_of([] {
              sp_shard(at::zeros({2, 3}), 0, 0, 4);
            }),
            "sp_shard: size 2 along dim 0 is smaller than the sequence-parallel size 4");
  EXPECT_EQ(error_of([] { sp_shard(at::zeros({4}), 1, 0, 2); }), "sp_shard: dim 1 is out of range for a 1-D tensor");
  EXPECT_EQ(error_of([] { sp_shard(at::zeros({4}), 0, 2, 2); }), "sp_shard: rank 2 of 2 is invalid");
}

TEST(SpShardWithPadding, TenRowsOverFourRanksAreThreeEachWithZerosAtTheEnd) {
  const at::Tensor t = at::arange(1, 11).to(at::kFloat);  // 1..10
  std::vector<at::Tensor> shards;
  for (int rank = 0; rank < 4; ++rank) {
    const PaddedShard p = sp_shard_with_padding(t, 0, rank, 4);
    EXPECT_EQ(p.pad, 2);
    EXPECT_EQ(p.shard.size(0), 3);
    shards.push_back(p.shard);
  }
  EXPECT_TRUE(shards[3].equal(at::tensor({10.0f, 0.0f, 0.0f})));
  EXPECT_TRUE(at::cat(shards).narrow(0, 0, 10).equal(t));
}

TEST(SpShardWithPadding, TinySizesStillGiveEveryRankAShard) {
  // chunk() would give fewer than P pieces here; explicit offsets give 1, 1, 0+pad, 0+pad.
  const at::Tensor t = at::tensor({5.0f, 6.0f});
  std::vector<at::Tensor> shards;
  for (int rank = 0; rank < 4; ++rank)
    shards.push_back(sp_shard_with_padding(t, 0, rank, 4, -1.0).shard);
  EXPECT_TRUE(at::cat(shards).equal(at::tensor({5.0f, 6.0f, -1.0f, -1.0f})));
  EXPECT_EQ(sp_shard_with_padding(at::zeros({8}), 0, 0, 4).pad, 0);
}

TEST(SpGather, ConcatenatesInRankOrderOverGloo) {
  const at::Tensor full = at::randn({2, 12, 3});
  testing::run_ranks({4, 1}, [&](int rank, SpGroups& g) {
    const at::Tensor back = sp_gather(*g.sp, sp_shard(full, 1, rank, 4), 1);
    if (!back.equal(full)) throw std::runtime_error("gather did not restore the tensor");
  });
  LocalCommunicator local;
  EXPECT_TRUE(sp_gather(local, full, 1).is_same(full));
}

TEST(ShardingValidator, ReportsShardsNeverGatheredAndMismatches) {
  const auto ctx = SpContext::single_process(SpContext::Mode::Manual);
  ShardingValidator v;
  const at::Tensor x = at::randn({1, 4, 2});
  {
    auto scope = v.track();
    EXPECT_EQ(ShardingValidator::current(), &v);
    const at::Tensor a = sp_shard(*ctx, x, 1, "hidden");
    sp_shard(*ctx, x, 1, "rope");
    sp_gather(*ctx, a, 1, "hidden");
    sp_shard(*ctx, x, 1, "rope");   // sharded again before its gather
    sp_gather(*ctx, x, 1, "mask");  // never sharded
    sp_shard(*ctx, x, 1, "cos");
    sp_gather(*ctx, x, 0, "cos");  // wrong dim
  }
  EXPECT_EQ(ShardingValidator::current(), nullptr);
  sp_shard(*ctx, x, 1, "outside");  // not tracked
  EXPECT_EQ(v.problems(), (std::vector<std::string>{"'rope' was sharded again before being gathered",
                                                    "'mask' was gathered but never sharded",
                                                    "'cos' was sharded on dim 1 but gathered on dim 0"}));
  const std::string report = error_of([&] { v.validate(); });
  EXPECT_NE(report.find("'rope' (dim 1) was sharded but never gathered"), std::string::npos) << report;
  EXPECT_EQ(report.find("'hidden'"), std::string::npos) << report;
  v.clear();
  EXPECT_NO_THROW(v.validate());
}

}  // namespace
}  // namespace spstudio::sp
