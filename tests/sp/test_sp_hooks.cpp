// SPDX-License-Identifier: Apache-2.0
// SP_SEMANTICS.md §1–3: split and gather hooks, auto_pad bookkeeping, regions, plan application.
// Ranks are threads of this process over real Gloo (thread_ranks.h).
#include <gtest/gtest.h>

#include "common/issues.h"
#include "common/plan_json.h"
#include "error_text.h"
#include "hook_fixtures.h"
#include "sp/apply_plan.h"
#include "sp/errors.h"
#include "sp/hooks/sp_hooks.h"
#include "sp/sharding.h"
#include "thread_ranks.h"

namespace spstudio::sp {
namespace {

using testing::error_of;

using testing::Echo;
using testing::run_ranks;
using testing::Toy;

PlanEntry entry_of(const std::string& key, const std::string& body) {
  return plan_from_json(R"({"format": "spstudio-plan/1", "model": "M", "entries": {")" + key + R"(": )" + body + "}}")
      .entries.at(0);
}

SequenceParallelPlan plan_of(const std::string& entries) {
  return plan_from_json(R"({"format": "spstudio-plan/1", "model": "Toy", "entries": )" + entries + "}");
}

std::shared_ptr<SequenceParallelSplitHook> add_split(HookableModule& m, const PlanEntry& e, const SpContextPtr& ctx) {
  auto hook = std::make_shared<SequenceParallelSplitHook>(e.key, e.splits, ctx);
  m.hooks().register_hook(split_hook_name(e.key), hook);
  return hook;
}

void add_gather(HookableModule& m, const PlanEntry& e, const SpContextPtr& ctx) {
  m.hooks().register_hook(gather_hook_name(e.key), std::make_shared<SequenceParallelGatherHook>(e.key, *e.gather, ctx));
}

TEST(SplitHook, ShardsNamedAndPositionalArguments) {
  const at::Tensor x = at::randn({2, 8, 3});
  const at::Tensor other = at::randn({2, 8, 3});
  run_ranks({2, 1}, [&](int rank, SpGroups& g) {
    auto ctx = std::make_shared<SpContext>(g);
    Echo echo(std::vector<std::string>{"hidden_states", "other"});
    add_split(*echo, entry_of("blk", R"({"split": {"hidden_states": {"dim": 1}}})"), ctx);
    const auto positional = to_tensors(echo->call({x, other}));
    EXPECT_TRUE(positional[0].equal(x.narrow(1, rank * 4, 4)));
    EXPECT_TRUE(positional[1].is_same(other));
    const auto named = to_tensors(echo->call(Args{}.with("other", other).with("hidden_states", x)));
    EXPECT_TRUE(named[0].equal(x.narrow(1, rank * 4, 4)));
    // An input split opens a region at the module's own level (no gather here to close it).
    EXPECT_EQ(ctx->regions().size(), 2u);
    EXPECT_EQ(ctx->regions()[0].level, 1);
    EXPECT_TRUE(ctx->sp_active());
  });
}

TEST(SplitHook, PassesThroughWhatItMustNotShard) {
  run_ranks({2, 1}, [&](int, SpGroups& g) {
    auto ctx = std::make_shared<SpContext>(g);
    Echo echo(std::vector<std::string>{"a", "b"});
    add_split(*echo, entry_of("e", R"({"split": {"a": {"dim": 1, "expected_dims": 3}, "b": {"dim": 0}}})"), ctx);
    const at::Tensor four_d = at::randn({1, 4, 2, 2});
    const at::Tensor empty = at::zeros({0, 3});
    auto out = to_tensors(echo->call({four_d, empty}));
    EXPECT_TRUE(out[0].is_same(four_d));  // expected_dims 3 ≠ 4: unchanged
    EXPECT_TRUE(out[1].is_same(empty));   // size 0 on the split dim: unchanged
    const auto tuple = echo->call({four_d}).toTupleRef().elements();
    EXPECT_TRUE(tuple[1].isNone());  // b not passed: the entry is skipped
    EXPECT_TRUE(echo->call({four_d, Value()}).toTupleRef().elements()[1].isNone());
  });
}

TEST(SplitHook, UnknownParameterIsRefusedAtRegistration) {
  auto ctx = SpContext::single_process();
  Echo echo(std::vector<std::string>{"hidden_states"}, "Block");
  EXPECT_EQ(error_of([&] { add_split(*echo, entry_of("b", R"({"split": {"hidden": {"dim": 1}}})"), ctx); }),
            "Block has no forward parameter 'hidden' (parameters: hidden_states)");
}

TEST(SplitHook, SplitOutputShardsBareAndTupleOutputs) {
  const at::Tensor a = at::randn({8, 2}), c = at::randn({8, 2});
  run_ranks({2, 1}, [&](int rank, SpGroups& g) {
    auto ctx = std::make_shared<SpContext>(g);
    Echo one(std::vector<std::string>{"x"});
    add_split(*one, entry_of("rope", R"({"split_output": {"0": {"dim": 0}}})"), ctx);
    EXPECT_TRUE(one->call({a}).toTensor().equal(a.narrow(0, rank * 4, 4)));  // bare tensor = index 0
    EXPECT_EQ(ctx->regions().back().level, 0);                               // split_output opens the caller's level

    Echo three(std::vector<std::string>{"x", "y", "z"});
    add_split(*three, entry_of("rope", R"({"split_output": {"0": {"dim": 0}, "2": {"dim": 0}}})"), ctx);
    const auto out = three->call({a, Value(), c}).toTupleRef().elements();
    EXPECT_TRUE(out[0].toTensor().equal(a.narrow(0, rank * 4, 4)));
    EXPECT_TRUE(out[1].isNone());
    EXPECT_TRUE(out[2].toTensor().equal(c.narrow(0, rank * 4, 4)));

    Echo two(std::vector<std::string>{"x", "y"}, "Rope");
    add_split(*two, entry_of("rope", R"({"split_output": {"3": {"dim": 0}}})"), ctx);
    EXPECT_EQ(error_of([&] {
                two->call({a, c});
              }),
              "plan entry \"rope\", split_output.3 of Rope: the module returned 2 output(s); index 3 is out of range");
  });
}

TEST(SplitHook, ListParametersTakeOneSpecPerElement) {
  const at::Tensor t0 = at::randn({4, 2}), t1 = at::randn({6, 2}), t2 = at::randn({6, 2});
  run_ranks({2, 1}, [&](int rank, SpGroups& g) {
    auto ctx = std::make_shared<SpContext>(g);
    Echo echo(std::vector<std::string>{"rope"}, "Block");
    add_split(*echo, entry_of("b", R"({"split": {"rope": [null, {"dim": 0}, {"dim": 0}]}})"), ctx);
    const auto out = to_tensors(echo->call({make_tensor_list({t0, t1, t2})}));
    EXPECT_TRUE(out[0].is_same(t0));
    EXPECT_TRUE(out[1].equal(t1.narrow(0, rank * 3, 3)));
    EXPECT_TRUE(out[2].equal(t2.narrow(0, rank * 3, 3)));
    // Tuples keep their type.
    EXPECT_TRUE(echo->call({make_tuple({t0, t1, t2})}).isTuple());
    EXPECT_EQ(error_of([&] {
                echo->call({make_tensor_list({t0, t1})});
              }),
              "plan entry \"b\", split.rope of Block: the argument has 2 elements but the plan gives 3 specs");
    EXPECT_CONTAINS(error_of([&] { echo->call({t0}); }), "the plan gives a list of specs but the argument is a Tensor");
  });
}

TEST(SplitHook, PartialSplitKeepsTheTextRowsAndResolvesTextLength) {
  const std::int64_t T = 3, S = 4;
  const at::Tensor table = at::randn({T + S, 5});
  const at::Tensor txt_ids = at::zeros({T, 2});
  run_ranks({2, 1}, [&](int rank, SpGroups& g) {
    auto ctx = std::make_shared<SpContext>(g);
    const at::Tensor expected = at::cat({table.narrow(0, 0, T), table.narrow(0, T + rank * 2, 2)});
    // text_len from an int.
    Echo fixed(std::vector<std::string>{"table"});
    add_split(*fixed, entry_of("f", R"({"split": {"table": {"dim": 0, "text_len": 3}}})"), ctx);
    EXPECT_TRUE(fixed->call({table}).toTensor().equal(expected));
    // text_len from another argument of the same call: a tensor gives its dim 0, an int itself.
    Echo rope(std::vector<std::string>{"table", "txt_ids"}, "Rope");
    auto hook =
        add_split(*rope, entry_of("rope", R"({"split_output": {"0": {"dim": 0, "text_len": "txt_ids"}}})"), ctx);
    EXPECT_TRUE(rope->call({table, txt_ids}).toTupleRef().elements()[0].toTensor().equal(expected));
    EXPECT_TRUE(rope->call({table, Value(std::int64_t{T})}).toTupleRef().elements()[0].toTensor().equal(expected));
    // Only the resolved length is kept between pre- and post-forward.
    EXPECT_EQ(hook->text_lengths().size(), 1u);
    EXPECT_EQ(hook->text_lengths().begin()->second, T);
    EXPECT_EQ(error_of([&] { rope->call({table}); }),
              "plan entry \"rope\", text_len of Rope: text_len source 'txt_ids' was not passed (None)");
    EXPECT_CONTAINS(error_of([&] { rope->call({table, Value(1.5)}); }), "text_len source 'txt_ids' is float");
    // The image part must divide.
    Echo odd(std::vector<std::string>{"table"});
    add_split(*odd, entry_of("o", R"({"split": {"table": {"dim": 0, "text_len": 2}}})"), ctx);
    EXPECT_CONTAINS(error_of([&] { odd->call({table}); }), "image length 5 (after 2 text rows) on dim 0");
  });
}

TEST(SplitHook, StrictModeErrorSaysWhichDegreesOrAutoPadWouldWork) {
  run_ranks({2, 1}, [&](int, SpGroups& g) {
    auto ctx = std::make_shared<SpContext>(g);
    Echo echo(std::vector<std::string>{"hidden_states"}, "TestDiT");
    add_split(*echo, entry_of("", R"({"split": {"hidden_states": {"dim": 1}}})"), ctx);
    EXPECT_EQ(error_of([&] {
                echo->call({at::zeros({1, 5, 4})});
              }),
              "plan entry \"\" (root), split.hidden_states of TestDiT: sequence length 5 on dim 1 of a tensor of shape "
              "[1, 5, 4] is not divisible by the sequence-parallel size 2 (ulysses 2 × ring 1) (strict mode); SP sizes "
              "that divide it: 1, 5; or set auto_pad on this split to pad and mask");
  });
}

TEST(AutoPad, PadsAtTheEndAndTheGatherTrims) {
  const at::Tensor x = at::randn({1, 5, 3});
  run_ranks({2, 1}, [&](int rank, SpGroups& g) {
    auto ctx = std::make_shared<SpContext>(g);
    Echo split(std::vector<std::string>{"x"}), gather(std::vector<std::string>{"x"});
    add_split(*split, entry_of("s", R"({"split": {"x": {"dim": 1, "auto_pad": true}}})"), ctx);
    add_gather(*gather, entry_of("g", R"({"gather": [{"dim": 1}]})"), ctx);
    const at::Tensor shard = split->call({x}).toTensor();
    EXPECT_EQ(shard.size(1), 3);
    if (rank == 1) {
      EXPECT_TRUE(shard.narrow(1, 0, 2).equal(x.narrow(1, 3, 2)));
      EXPECT_EQ(shard.narrow(1, 2, 1).abs().sum().item<float>(), 0.0f);
    }
    ASSERT_TRUE(ctx->padding("").has_value());
    EXPECT_EQ(ctx->padding("")->original, 5);
    EXPECT_EQ(ctx->padding("")->padded, 6);
    EXPECT_TRUE(gather->call({shard}).toTensor().equal(x));
    EXPECT_FALSE(ctx->padding("").has_value());  // cleared: the next CFG branch may differ
    EXPECT_TRUE(ctx->regions().empty());
  });
}

TEST(AutoPad, ShardGroupsKeepTheirOwnRecords) {
  run_ranks({2, 1}, [&](int, SpGroups& g) {
    auto ctx = std::make_shared<SpContext>(g);
    Echo image(std::vector<std::string>{"x", "y"}, "Prep");
    add_split(*image, entry_of("prep", R"({"split": {"x": {"dim": 1, "auto_pad": true, "shard_group": "image"},
                                                     "y": {"dim": 1, "auto_pad": true, "shard_group": "image"}}})"),
              ctx);
    EXPECT_CONTAINS(error_of([&] {
                      image->call({at::zeros({1, 5, 2}), at::zeros({1, 7, 2})});
                    }),
                    "length 7 in shard group 'image' differs from the 5 recorded by plan entry \"prep\", "
                    "split.x of Prep");
    ctx->begin_forward();
    Echo ctx_split(std::vector<std::string>{"c"});
    add_split(*ctx_split, entry_of("c", R"({"split": {"c": {"dim": 1, "auto_pad": true, "shard_group": "context"}}})"),
              ctx);
    image->call({at::zeros({1, 5, 2}), at::zeros({1, 5, 2})});
    ctx_split->call({at::zeros({1, 3, 2})});
    Echo out(std::vector<std::string>{"x"}, "Out");
    add_gather(*out, entry_of("out", R"({"gather": [{"dim": 1, "shard_group": "image"}]})"), ctx);
    EXPECT_EQ(out->call({at::zeros({1, 3, 2})}).toTensor().size(1), 5);
    EXPECT_FALSE(ctx->padding("image").has_value());  // only its own key is dropped
    EXPECT_EQ(ctx->padding("context")->original, 3);
    EXPECT_EQ(error_of([&] {
                out->call({at::zeros({1, 3, 2})});
              }),
              "plan entry \"out\", gather of Out[0]: the gather trims shard group 'image', but no auto_pad split "
              "recorded a length for it in this forward");
  });
}

TEST(AutoPad, RingCannotPad) {
  run_ranks({1, 2}, [&](int, SpGroups& g) {
    auto ctx = std::make_shared<SpContext>(g);
    Echo echo(std::vector<std::string>{"x"}, "TestDiT");
    add_split(*echo, entry_of("", R"({"split": {"x": {"dim": 1, "auto_pad": true}}})"), ctx);
    EXPECT_EQ(echo->call({at::zeros({1, 4, 2})}).toTensor().size(1), 2);  // nothing to pad: fine
    ctx->begin_forward();                                                 // (a root guard does this at each forward)
    EXPECT_CONTAINS(error_of([&] {
                      echo->call({at::zeros({1, 5, 2})});
                    }),
                    "ring attention cannot mask the padding auto_pad would add; use ring_degree 1");
  });
}

TEST(GatherHook, ChecksOutputCountAndSkipsByRank) {
  run_ranks({2, 1}, [&](int rank, SpGroups& g) {
    auto ctx = std::make_shared<SpContext>(g);
    Echo two(std::vector<std::string>{"a", "b"}, "Pair");
    add_gather(*two, entry_of("p", R"({"gather": [{"dim": 0}, null]})"), ctx);
    const at::Tensor a = at::full({2, 2}, static_cast<float>(rank)), b = at::ones({3});
    const auto out = two->call({a, b}).toTupleRef().elements();
    EXPECT_TRUE(out[0].toTensor().equal(at::cat({at::zeros({2, 2}), at::ones({2, 2})})));
    EXPECT_TRUE(out[1].toTensor().is_same(b));
    Echo one(std::vector<std::string>{"a"}, "One");
    add_gather(*one, entry_of("o", R"({"gather": [{"dim": 1, "expected_dims": 3}]})"), ctx);
    EXPECT_TRUE(one->call({a}).toTensor().is_same(a));  // 2-D ≠ expected 3-D: left alone
    Echo mismatch(std::vector<std::string>{"a"}, "One");
    add_gather(*mismatch, entry_of("m", R"({"gather": [{"dim": 0}, {"dim": 0}]})"), ctx);
    EXPECT_EQ(error_of([&] { mismatch->call({a}); }),
              "plan entry \"m\", gather of One: the module returned 1 output(s) but the plan lists 2 gather spec(s)");
  });
}

TEST(Regions, GatherClosesEverySplitBoundaryOfItsBody) {
  // The root splits x (level 1); prep shards its second output into the root body (level 1 too);
  // the one gather after proj_out closes both, so nothing after it communicates.
  const at::Tensor x = at::randn({1, 4, 2}), y = at::randn({1, 4, 2});
  run_ranks({2, 1}, [&](int, SpGroups& g) {
    auto ctx = std::make_shared<SpContext>(g);
    testing::Body root("Root", std::vector<std::string>{"x", "y"});
    auto prep = root->register_module("prep", Echo(std::vector<std::string>{"x", "y"}, "Prep"));
    auto proj = root->register_module("proj_out", Echo(std::vector<std::string>{"input"}, "Linear"));
    std::size_t regions_inside = 0, regions_after = 0;
    root->body = [&](const BoundArgs& a) {
      const auto t = to_tensors(prep->call({a["x"], a["y"]}));
      regions_inside = ctx->regions().size();
      const Value out = proj->call({t[0] + t[1]});
      regions_after = ctx->regions().size();
      return out;
    };
    apply_sequence_parallel(*root, plan_of(R"({"": {"split": {"x": {"dim": 1}}},
                                        "prep": {"split_output": {"1": {"dim": 1}}},
                                        "proj_out": {"gather": [{"dim": 1}]}})"),
                            ctx);
    EXPECT_TRUE(root->call({x, y}).toTensor().allclose(x + y));
    EXPECT_EQ(regions_inside, 2u);
    EXPECT_EQ(regions_after, 0u);
  });
}

TEST(Regions, ANestedSplitAndGatherCloseOnlyTheirOwnRegion) {
  const at::Tensor x = at::randn({1, 4, 2}), y = at::randn({1, 4, 2});
  run_ranks({2, 1}, [&](int, SpGroups& g) {
    auto ctx = std::make_shared<SpContext>(g);
    testing::Body root("Root", std::vector<std::string>{"x", "y"});
    testing::Body inner("Refiner", std::vector<std::string>{"y"});
    root->register_module("inner", inner);
    auto inner_proj = inner->register_module("proj", Echo(std::vector<std::string>{"input"}, "Linear"));
    auto proj = root->register_module("proj_out", Echo(std::vector<std::string>{"input"}, "Linear"));
    inner->body = [&](const BoundArgs& a) { return inner_proj->call({a["y"]}); };
    std::vector<bool> active;
    root->body = [&](const BoundArgs& a) {
      const at::Tensor refined = inner->call({a["y"]}).toTensor();  // full again after its gather
      active.push_back(ctx->sp_active());                           // the root's region is still open
      return proj->call({a["x"].toTensor() + refined.narrow(1, ctx->rank() * 2, 2)});
    };
    apply_sequence_parallel(*root, plan_of(R"({"": {"split": {"x": {"dim": 1}}},
                                        "inner": {"split": {"y": {"dim": 1}}},
                                        "inner.proj": {"gather": [{"dim": 1}]},
                                        "proj_out": {"gather": [{"dim": 1}]}})"),
                            ctx);
    EXPECT_TRUE(root->call({x, y}).toTensor().allclose(x + y));
    EXPECT_EQ(active, std::vector<bool>{true});
    EXPECT_TRUE(ctx->regions().empty());
  });
}

TEST(Regions, TheGuardRefusesAForwardThatNeverGathers) {
  run_ranks({2, 1}, [&](int, SpGroups& g) {
    auto ctx = std::make_shared<SpContext>(g);
    Toy toy;
    add_split(*toy, entry_of("", R"({"split": {"x": {"dim": 1}}})"), ctx);
    toy->hooks().register_hook(kSpGuardHookName, std::make_shared<SpForwardGuardHook>(ctx));
    EXPECT_CONTAINS(error_of([&] {
                      toy->forward(at::zeros({1, 4, 2}));
                    }),
                    "the forward of Toy returned while the SP region opened by plan entry \"\" (root) (split x) "
                    "was still open");
    EXPECT_TRUE(ctx->regions().empty());  // nothing leaks into the next forward
  });
}

TEST(ApplyPlan, RegistersNamedHooksOnEveryCoveredModuleAndRemovesThem) {
  const auto plan = plan_of(R"({"": {"split": {"x": {"dim": 1}}},
                                "blocks.*": {"split": {"x": {"dim": 1, "expected_dims": 9}}},
                                "proj_out": {"gather": [{"dim": 1}]}})");
  const at::Tensor x = at::randn({1, 6, 2});
  run_ranks({2, 1}, [&](int, SpGroups& g) {
    auto ctx = std::make_shared<SpContext>(g);
    Toy toy;
    apply_sequence_parallel(*toy, plan, ctx);
    EXPECT_EQ(toy->hooks().names(), (std::vector<std::string>{"sp_context", "sp_input---"}));
    for (const auto& b : *toy->blocks)
      EXPECT_EQ(b->as<HookableModule>()->hooks().names(), std::vector<std::string>{"sp_input---blocks.*"});
    EXPECT_EQ(toy->proj_out->hooks().names(), std::vector<std::string>{"sp_output---proj_out"});
    EXPECT_EQ(applied_sp_context(*toy), ctx);
    EXPECT_TRUE(toy->forward(x).allclose(x * 6));
    EXPECT_THROW(apply_sequence_parallel(*toy, plan, ctx), std::logic_error);

    // Disabled: the hooks stay but pass everything through; attention would run locally.
    std::vector<std::int64_t> seen;
    toy->probe = [&] { seen.push_back(ctx->sp_active()); };
    disable_sequence_parallel(*toy);
    EXPECT_TRUE(toy->forward(x).allclose(x * 6));
    enable_sequence_parallel(*toy);
    toy->forward(x);
    EXPECT_EQ(seen, (std::vector<std::int64_t>{0, 1}));

    remove_sequence_parallel(*toy, plan);
    EXPECT_TRUE(toy->hooks().empty());
    EXPECT_TRUE(toy->proj_out->hooks().empty());
    EXPECT_EQ(applied_sp_context(*toy), nullptr);
    EXPECT_THROW(disable_sequence_parallel(*toy), std::logic_error);
  });
}

TEST(ApplyPlan, AnInvalidPlanIsRefusedBeforeAnythingIsRegistered) {
  auto ctx = SpContext::single_process();
  Toy toy;
  try {
    apply_sequence_parallel(*toy,
                            plan_of(R"({"": {"split": {"x": {"dim": 1}}}, "blocks.*": {"split": {"y": {"dim": 1}}},
                                        "proj": {"gather": [{"dim": 1}]}})"),
                            ctx);
    FAIL();
  } catch (const PlanError& e) {
    const std::string what = e.what();
    EXPECT_CONTAINS(what, "Scale has no forward parameter 'y' (parameters: x)");
    EXPECT_CONTAINS(what, "'proj' is not a submodule of the root (Toy)");
  }
  EXPECT_EQ(toy->hook_registry(), nullptr);
  for (const auto& b : *toy->blocks)
    EXPECT_EQ(b->as<HookableModule>()->hook_registry(), nullptr);
}

TEST(ApplyPlan, DescribeModuleTree) {
  Toy toy;
  const ModuleNode tree = describe_module_tree(*toy);
  EXPECT_EQ(tree.class_name, "Toy");
  EXPECT_TRUE(tree.hookable);
  ASSERT_EQ(tree.children.size(), 2u);
  EXPECT_EQ(tree.children[0].name, "blocks");
  EXPECT_EQ(tree.children[0].kind, ModuleKind::List);
  EXPECT_EQ(tree.children[0].children[2].name, "2");
  EXPECT_EQ(tree.children[0].children[2].signature, std::vector<std::string>{"x"});
  EXPECT_EQ(find_submodule(*toy, "blocks.1"), toy->blocks[1].get());
  EXPECT_EQ(find_submodule(*toy, "blocks.7"), nullptr);
}

}  // namespace
}  // namespace spstudio::sp
