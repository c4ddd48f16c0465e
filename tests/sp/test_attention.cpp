// SPDX-License-Identifier: Apache-2.0
// §5–6: the math kernel, the ring merge against float64, and every strategy across Gloo ranks
// (threads) against float64 full attention, with joint tokens front and rear, GQA/MQA, padding.
#include <gtest/gtest.h>

#include <limits>

#include "sp/attention/attention.h"
#include "sp/attention/ring_merge.h"
#include "sp/comm/local_communicator.h"
#include "sp/errors.h"
#include "sp/sharding.h"
#include "thread_ranks.h"

namespace spstudio::sp {
namespace {

using testing::run_ranks;
const double kInf = std::numeric_limits<double>::infinity();

/// Float64 attention over full sequences, [B, S, H, D]; k/v heads repeated for GQA; optional
/// key mask [Sk] (true = attend).
at::Tensor reference_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale,
                               const at::Tensor& key_mask = {}) {
  at::Tensor qd = q.to(at::kDouble).transpose(1, 2), kd = k.to(at::kDouble).transpose(1, 2),
             vd = v.to(at::kDouble).transpose(1, 2);
  const std::int64_t rep = q.size(2) / k.size(2);
  kd = kd.repeat_interleave(rep, 1);
  vd = vd.repeat_interleave(rep, 1);
  at::Tensor scores = at::matmul(qd, kd.transpose(-1, -2)) * scale;
  if (key_mask.defined()) scores = scores.masked_fill(key_mask.logical_not(), -kInf);
  return at::matmul(at::softmax(scores, -1), vd).transpose(1, 2);
}

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

void require_close(const at::Tensor& got, const at::Tensor& want, double tol, const std::string& what) {
  const double d = max_abs_diff(got, want);
  if (!(d <= tol)) throw std::runtime_error(what + ": max |Δ| = " + std::to_string(d));
}

TEST(MathKernel, MatchesFloat64AndReturnsTheLogSumExp) {
  const at::Tensor q = at::randn({2, 5, 4, 8}), k = at::randn({2, 7, 2, 8}), v = at::randn({2, 7, 2, 8});
  MathAttentionKernel kernel;
  KernelOptions o;
  o.scale = 0.3;
  o.return_lse = true;
  const KernelResult r = kernel.forward(q, k, v, o);
  EXPECT_LT(max_abs_diff(r.out, reference_attention(q, k, v, 0.3)), 1e-5);
  const at::Tensor scores = at::matmul(q.to(at::kDouble).transpose(1, 2),
                                       k.to(at::kDouble).repeat_interleave(2, 2).transpose(1, 2).transpose(-1, -2)) *
                            0.3;
  EXPECT_LT(max_abs_diff(r.lse, at::logsumexp(scores, -1).transpose(1, 2)), 1e-5);
  EXPECT_EQ(r.lse.scalar_type(), at::kFloat);

  o.key_mask = at::tensor({1, 1, 0, 1, 0, 1, 1}).to(at::kBool).unsqueeze(0);
  EXPECT_LT(max_abs_diff(kernel.forward(q, k, v, o).out, reference_attention(q, k, v, 0.3, o.key_mask[0])), 1e-5);
}

TEST(MathKernel, NoKeysGiveZeroOutputAndMinusInfinity) {
  MathAttentionKernel kernel;
  KernelOptions o;
  o.return_lse = true;
  const KernelResult r = kernel.forward(at::randn({1, 3, 2, 4}), at::zeros({1, 0, 2, 4}), at::zeros({1, 0, 2, 4}), o);
  EXPECT_EQ(r.out.abs().sum().item<float>(), 0.0f);
  EXPECT_TRUE(r.lse.isneginf().all().item<bool>());
}

/// Float64 reference of merging blocks (o_i, l_i): Σ exp(l_i − L)·o_i with L = logsumexp(l).
at::Tensor merged_reference(const std::vector<at::Tensor>& outs, const std::vector<at::Tensor>& lses) {
  const at::Tensor l = at::stack(lses).to(at::kDouble);  // [n, B, S, H]
  const at::Tensor weights = at::softmax(l, 0).unsqueeze(-1);
  return (weights * at::stack(outs).to(at::kDouble)).sum(0);
}

TEST(RingMerge, MatchesFloat64LogSumExpOverManyHops) {
  at::manual_seed(42);
  for (const int hops : {2, 3, 8, 13}) {
    std::vector<at::Tensor> outs, lses;
    MergeState state;
    for (int i = 0; i < hops; ++i) {
      outs.push_back(at::randn({2, 5, 3, 4}));
      lses.push_back(at::randn({2, 5, 3}) * 4);
      ring_merge(state, outs.back(), lses.back());
    }
    EXPECT_LT(max_abs_diff(state.out, merged_reference(outs, lses)), 2e-6) << hops << " hops";
    // The LSE itself (values around ±16 here) is compared relative to its size: 2e-6 absolute is
    // float32's own spacing at 16.
    const at::Tensor lse_ref = at::logsumexp(at::stack(lses).to(at::kDouble), 0);
    EXPECT_LT(max_abs_diff(state.lse.squeeze(-1), lse_ref) / lse_ref.abs().max().item<double>(), 2e-6);
  }
}

TEST(RingMerge, ExtremeLogSumExps) {
  at::manual_seed(43);
  const at::Tensor o1 = at::randn({1, 4, 2, 3}), o2 = at::randn({1, 4, 2, 3}), o3 = at::randn({1, 4, 2, 3});
  // ±1000: exp() overflows in float32, the merge must not.
  const at::Tensor l1 =
      at::tensor({1000.0f, -1000.0f, 1000.0f, -1000.0f}).view({1, 4, 1}).expand({1, 4, 2}).contiguous();
  const at::Tensor l2 = at::tensor({999.0f, -999.5f, -1000.0f, 1000.0f}).view({1, 4, 1}).expand({1, 4, 2}).contiguous();
  MergeState s;
  ring_merge(s, o1, l1);
  ring_merge(s, o2, l2);
  EXPECT_LT(max_abs_diff(s.out, merged_reference({o1, o2}, {l1, l2})), 2e-6);
  EXPECT_FALSE(s.out.isnan().any().item<bool>());

  // −inf: a block that saw no key contributes nothing, wherever it comes.
  const at::Tensor none = at::full({1, 4, 2}, -kInf);
  MergeState first_empty;
  ring_merge(first_empty, at::zeros_like(o1), none);
  ring_merge(first_empty, o2, l2);
  ring_merge(first_empty, o3, none);
  EXPECT_LT(max_abs_diff(first_empty.out, o2), 2e-6);
  EXPECT_TRUE(first_empty.lse.squeeze(-1).equal(l2));
  MergeState all_empty;
  ring_merge(all_empty, at::zeros_like(o1), none);
  ring_merge(all_empty, o2, none);
  EXPECT_FALSE(all_empty.out.isnan().any().item<bool>());
  EXPECT_TRUE(all_empty.lse.isneginf().all().item<bool>());

  // +inf dominates a finite block; two +inf blocks share equally.
  const at::Tensor pos = at::full({1, 4, 2}, kInf);
  MergeState dominant;
  ring_merge(dominant, o1, l1);
  ring_merge(dominant, o3, pos);
  EXPECT_LT(max_abs_diff(dominant.out, o3), 2e-6);
  ring_merge(dominant, o2, pos);
  EXPECT_LT(max_abs_diff(dominant.out, (o3.to(at::kDouble) + o2.to(at::kDouble)) / 2), 2e-6);
}

/// Problem of one test: full q/k/v and joint tensors, sharded by rank in the test body.
struct Problem {
  std::int64_t batch = 2, seq = 16, heads = 4, kv_heads = 4, dim = 8, text = 3;
  at::Tensor q, k, v, jq, jk, jv;

  void make() {
    q = at::randn({batch, seq, heads, dim});
    k = at::randn({batch, seq, kv_heads, dim});
    v = at::randn({batch, seq, kv_heads, dim});
    if (text > 0) {
      jq = at::randn({batch, text, heads, dim});
      jk = at::randn({batch, text, kv_heads, dim});
      jv = at::randn({batch, text, kv_heads, dim});
    }
  }
  /// Attention over [joint | image] (Front) or [image | joint] (Rear), float64.
  at::Tensor reference(JointStrategy s, double scale) const {
    if (text == 0) return reference_attention(q, k, v, scale);
    return reference_attention(concat_joint(q, jq, s), concat_joint(k, jk, s), concat_joint(v, jv, s), scale);
  }
};

struct StrategyCase {
  ParallelConfig config;
  JointStrategy joint;
  std::int64_t kv_heads;
  std::int64_t text;
  const char* expected_strategy;
};

std::string describe(const StrategyCase& c) {
  return c.config.to_string() + (c.joint == JointStrategy::Front ? " front" : " rear") + " kv" +
         std::to_string(c.kv_heads) + " text" + std::to_string(c.text);
}

TEST(ParallelAttention, EveryStrategyEqualsFullAttention) {
  const std::vector<StrategyCase> cases = {
      {{2, 1}, JointStrategy::Front, 4, 3, "ulysses"}, {{4, 1}, JointStrategy::Rear, 4, 3, "ulysses"},
      {{2, 1}, JointStrategy::Front, 2, 3, "ulysses"},  // GQA
      {{1, 2}, JointStrategy::Front, 4, 3, "ring"},    {{1, 4}, JointStrategy::Rear, 4, 3, "ring"},
      {{1, 4}, JointStrategy::Front, 1, 3, "ring"},  // MQA circulates one K/V head
      {{2, 2}, JointStrategy::Front, 4, 3, "usp"},     {{2, 2}, JointStrategy::Rear, 2, 3, "usp"},
      {{2, 2}, JointStrategy::Front, 4, 0, "usp"},     {{4, 1}, JointStrategy::Front, 4, 0, "ulysses"},
  };
  for (const StrategyCase& c : cases) {
    Problem p;
    p.kv_heads = c.kv_heads;
    p.text = c.text;
    p.make();
    const double scale = 1.0 / std::sqrt(8.0);
    const at::Tensor ref = p.reference(c.joint, scale);
    const auto [ref_joint, ref_image] = split_joint(ref, p.text, c.joint);
    run_ranks(c.config, [&](int rank, SpGroups& g) {
      auto ctx = std::make_shared<SpContext>(g, SpContext::Mode::Manual);
      Attention attn(AttentionOptions{4, static_cast<int>(c.kv_heads), 8});
      attn->set_sp_context(ctx);
      AttentionMetadata meta;
      meta.joint_query = p.jq;
      meta.joint_key = p.jk;
      meta.joint_value = p.jv;
      meta.joint_strategy = c.joint;
      const at::Tensor out = attn(sp_shard(*ctx, p.q, 1), sp_shard(*ctx, p.k, 1), sp_shard(*ctx, p.v, 1), meta);
      if (std::string(attn->last_strategy()) != c.expected_strategy)
        throw std::runtime_error(describe(c) + " ran strategy " + attn->last_strategy());
      const auto [joint_rows, image_rows] = split_joint(out, p.text, c.joint);
      require_close(sp_gather(*ctx, image_rows, 1), ref_image, 2e-5, describe(c) + " image rows");
      if (p.text > 0)
        require_close(joint_rows, ref_joint, 2e-5, describe(c) + " joint rows on rank " + std::to_string(rank));
    });
  }
}

TEST(ParallelAttention, RingAddsTheJointKeysExactlyOnce) {
  // If the joint K/V entered at every hop, the text would weigh R times: that result is far from
  // the correct one, and ring attention must match the correct one.
  Problem p;
  p.make();
  const double scale = 1.0 / std::sqrt(8.0);
  const at::Tensor correct = p.reference(JointStrategy::Front, scale);
  const int ring = 4;
  std::vector<at::Tensor> jk(ring, p.jk), jv(ring, p.jv);
  jk.push_back(p.k);
  jv.push_back(p.v);
  const at::Tensor every_hop =
      reference_attention(concat_joint(p.q, p.jq, JointStrategy::Front), at::cat(jk, 1), at::cat(jv, 1), scale);
  ASSERT_GT(max_abs_diff(every_hop, correct), 1e-2);  // the bug would be visible
  run_ranks({1, ring}, [&](int, SpGroups& g) {
    auto ctx = std::make_shared<SpContext>(g, SpContext::Mode::Manual);
    Attention attn(AttentionOptions{4, 4, 8});
    attn->set_sp_context(ctx);
    AttentionMetadata meta{p.jq, p.jk, p.jv, JointStrategy::Front};
    const at::Tensor out = attn(sp_shard(*ctx, p.q, 1), sp_shard(*ctx, p.k, 1), sp_shard(*ctx, p.v, 1), meta);
    require_close(split_joint(out, p.text, JointStrategy::Front).first,
                  split_joint(correct, p.text, JointStrategy::Front).first, 2e-5, "joint rows");
  });
}

TEST(ParallelAttention, UlyssesMasksAutoPadPadding) {
  // 14 tokens over 4 ranks: padded to 16; the two padding keys must not be attended to.
  Problem p;
  p.seq = 14;
  p.make();
  const double scale = 1.0 / std::sqrt(8.0);
  const auto [ref_joint, ref_image] =
      split_joint(p.reference(JointStrategy::Front, scale), p.text, JointStrategy::Front);
  run_ranks({4, 1}, [&](int rank, SpGroups& g) {
    auto ctx = std::make_shared<SpContext>(g, SpContext::Mode::Manual);
    ctx->record_padding("", {14, 16, "test"});
    Attention attn(AttentionOptions{4, 4, 8});
    attn->set_sp_context(ctx);
    auto shard = [&](const at::Tensor& t) { return sp_shard_with_padding(*ctx, t, 1).shard; };
    const at::Tensor out =
        attn(shard(p.q), shard(p.k), shard(p.v), AttentionMetadata{p.jq, p.jk, p.jv, JointStrategy::Front});
    const auto [joint_rows, image_rows] = split_joint(out, p.text, JointStrategy::Front);
    require_close(sp_gather(*ctx, image_rows, 1).narrow(1, 0, 14), ref_image, 2e-5, "image rows");
    require_close(joint_rows, ref_joint, 2e-5, "joint rows on rank " + std::to_string(rank));
  });
}

/// Counts collectives, to show that cross-attention never communicates.
class CountingCommunicator final : public Communicator {
 public:
  explicit CountingCommunicator(CommunicatorPtr inner) : inner_(std::move(inner)) {}
  int calls = 0;
  int rank() const override { return inner_->rank(); }
  int size() const override { return inner_->size(); }
  std::string backend() const override { return inner_->backend(); }
  at::Tensor all_to_all(const at::Tensor& in, const std::vector<std::int64_t>& o = {},
                        const std::vector<std::int64_t>& i = {}) override {
    ++calls;
    return inner_->all_to_all(in, o, i);
  }
  std::vector<at::Tensor> all_gather(const at::Tensor& t) override {
    ++calls;
    return inner_->all_gather(t);
  }
  void broadcast(at::Tensor& t, int root) override {
    ++calls;
    inner_->broadcast(t, root);
  }
  void barrier() override {
    ++calls;
    inner_->barrier();
  }
  std::unique_ptr<PendingTransfers> batch_isend_irecv(std::vector<P2POp> ops) override {
    ++calls;
    return inner_->batch_isend_irecv(std::move(ops));
  }

 private:
  CommunicatorPtr inner_;
};

TEST(ParallelAttention, CrossAttentionToReplicatedTextIsLocalAndExact) {
  const at::Tensor q = at::randn({1, 8, 2, 8}), text_k = at::randn({1, 5, 2, 8}), text_v = at::randn({1, 5, 2, 8});
  const at::Tensor ref = reference_attention(q, text_k, text_v, 0.25);
  run_ranks({2, 2}, [&](int, SpGroups& g) {
    auto counted = std::make_shared<CountingCommunicator>(g.sp);
    SpGroups counting = g;
    counting.sp = counting.ulysses = counting.ring = counted;
    auto ctx = std::make_shared<SpContext>(counting, SpContext::Mode::Manual);
    AttentionOptions o{2, 2, 8, 0.25, /*skip_sequence_parallel=*/true};
    Attention cross(o);
    cross->set_sp_context(ctx);
    const at::Tensor out = cross(sp_shard(*ctx, q, 1), text_k, text_v);
    if (std::string(cross->last_strategy()) != "none" || counted->calls != 0)
      throw std::runtime_error("cross-attention communicated");
    require_close(out, sp_shard(*ctx, ref, 1), 2e-5, "local cross-attention");
  });
}

TEST(ParallelAttention, FactoryChoosesByDegreesAndRegion) {
  auto groups_of = [](ParallelConfig c) {
    SpGroups g;
    g.config = c;
    g.layout = sp_rank_layout(c, 0);
    g.sp = g.ulysses = g.ring = std::make_shared<LocalCommunicator>();
    return g;
  };
  auto name = [](const SpContext* ctx, bool skip = false) {
    return std::string(make_attention_strategy(ctx, skip)->name());
  };
  EXPECT_EQ(name(nullptr), "none");
  SpContext hooks({groups_of({2, 2})});
  EXPECT_EQ(name(&hooks), "none");  // hooks mode outside a split/gather region
  hooks.open_region("test", 1);
  EXPECT_EQ(name(&hooks), "usp");
  EXPECT_EQ(name(&hooks, true), "none");
  hooks.set_enabled(false);
  EXPECT_EQ(name(&hooks), "none");
  SpContext ulysses(groups_of({4, 1}), SpContext::Mode::Manual), ring(groups_of({1, 4}), SpContext::Mode::Manual),
      single(groups_of({1, 1}), SpContext::Mode::Manual);
  EXPECT_EQ(name(&ulysses), "ulysses");
  EXPECT_EQ(name(&ring), "ring");
  EXPECT_EQ(name(&single), "none");
}

TEST(ParallelAttention, JointTensorsComeTogether) {
  Attention attn(AttentionOptions{2, 2, 4});
  AttentionMetadata meta;
  meta.joint_query = at::randn({1, 2, 2, 4});
  const at::Tensor x = at::randn({1, 3, 2, 4});
  try {
    attn(x, x, x, meta);
    FAIL();
  } catch (const SequenceParallelError& e) {
    EXPECT_STREQ(e.what(), "attention: joint_query, joint_key and joint_value must be given together");
  }
}

}  // namespace
}  // namespace spstudio::sp
