// SPDX-License-Identifier: Apache-2.0
// Every rule of SP_SEMANTICS.md §2 plus the editor's extras, against a fixture manifest.
#include <gtest/gtest.h>

#include "common/plan_json.h"
#include "common/plan_validation.h"
#include "manifest_fixture.h"

namespace spstudio {
namespace {

SequenceParallelPlan plan(const std::string& entries) {
  return plan_from_json(R"({"format": "spstudio-plan/1", "model": "TestDiT", "entries": )" + entries + "}");
}

// The fixture's reference plan: split the root input, shard the image RoPE, gather after proj_out.
const char* kGood = R"({
  "": { "split": { "hidden_states": { "dim": 1, "expected_dims": 3, "auto_pad": true } } },
  "rope_prepare": { "split_output": { "2": { "dim": 0, "auto_pad": true }, "3": { "dim": 0, "auto_pad": true } } },
  "proj_out": { "gather": [ { "dim": 1, "expected_dims": 3 } ] }
})";

struct Check {
  std::vector<ValidationIssue> issues;

  const ValidationIssue* find(std::optional<std::string> key, const std::string& field,
                              const std::string& words) const {
    for (const ValidationIssue& i : issues)
      if (i.plan_key == key && i.field == field && i.message.find(words) != std::string::npos) return &i;
    return nullptr;
  }
  bool has(std::optional<std::string> key, const std::string& field, const std::string& words,
           Severity severity = Severity::Error) const {
    const ValidationIssue* i = find(std::move(key), field, words);
    return i && i->severity == severity;
  }
  std::string dump() const {
    std::string s;
    for (const ValidationIssue& i : issues)
      s += i.to_string() + "\n";
    return s;
  }
};

Check validate(const SequenceParallelPlan& p, ParallelConfig c, const testing::FixtureShapes& shapes = {},
               bool with_shapes = true, std::optional<int> world = std::nullopt) {
  const ModuleNode root = testing::fixture_tree(shapes, with_shapes);
  return {validate_plan(p, &root, {c, world})};
}

TEST(PlanValidation, ReferencePlanIsCleanForEveryDegreeThatFits) {
  for (ParallelConfig c : {ParallelConfig{1, 1}, {2, 1}, {1, 2}, {2, 2}, {4, 1}, {1, 4}}) {
    const Check check = validate(plan(kGood), c);
    EXPECT_TRUE(check.issues.empty()) << c.to_string() << "\n" << check.dump();
  }
  // No tree at all: only the plan-local rules run.
  EXPECT_TRUE(validate_plan(plan(kGood), nullptr, {{2, 1}, {}}).empty());
}

TEST(PlanValidation, IntegerKeyNeedsSplitOutput) {
  const Check c =
      validate(plan(R"({"rope_prepare": {"split": {"2": {"dim": 0}}}, "proj_out": {"gather": [{"dim": 1}]}})"), {2, 1});
  EXPECT_TRUE(c.has("rope_prepare", "split_output.2", "needs split_output=true")) << c.dump();
  EXPECT_EQ(c.find("rope_prepare", "split_output.2", "needs")->fix, "move it under \"split_output\"");
}

TEST(PlanValidation, SplitOutputNeedsAnIndex) {
  SequenceParallelPlan p = plan(R"({"proj_out": {"gather": [{"dim": 1}]}})");
  SequenceParallelInput s;
  s.split_dim = 0;
  s.split_output = true;
  p.entries.insert(p.entries.begin(), PlanEntry{"rope_prepare", {{InputKey::name("img_ids"), SplitSpec{s}}}, {}});
  const Check c = validate(p, {2, 1});
  EXPECT_TRUE(c.has("rope_prepare", "split_output.img_ids", "must be an output index")) << c.dump();
}

TEST(PlanValidation, ShardGroupRequiresAutoPad) {
  const Check c = validate(plan(R"({"": {"split": {"hidden_states": {"dim": 1, "shard_group": "image"}}},
                                    "proj_out": {"gather": [{"dim": 1}]}})"),
                           {2, 1});
  EXPECT_TRUE(c.has("", "split.hidden_states.shard_group", "requires auto_pad")) << c.dump();
}

TEST(PlanValidation, ShardGroupBelongsToOneBoundary) {
  const Check c = validate(plan(R"({
      "": {"split": {"hidden_states": {"dim": 1, "auto_pad": true, "shard_group": "image"}}},
      "rope_prepare": {"split_output": {"2": {"dim": 0, "auto_pad": true, "shard_group": "image"},
                                        "3": {"dim": 0, "auto_pad": true, "shard_group": "image"}}},
      "proj_out": {"gather": [{"dim": 1, "shard_group": "image"}]}})"),
                           {2, 1});
  EXPECT_TRUE(c.has("rope_prepare", "split_output.2.shard_group", "already used at plan key \"\" (root)")) << c.dump();
  // Reported once per offending key, not once per spec.
  EXPECT_EQ(c.find("rope_prepare", "split_output.3.shard_group", "already used"), nullptr);
}

TEST(PlanValidation, EveryShardNeedsALaterGather) {
  // No gather at all.
  Check c = validate(plan(R"({"": {"split": {"hidden_states": {"dim": 1}}}})"), {2, 1});
  EXPECT_TRUE(c.has("", "split.hidden_states", "no later gather")) << c.dump();
  // The gather runs before the shard: x_embedder precedes rope_prepare.
  c = validate(plan(R"({"rope_prepare": {"split_output": {"2": {"dim": 0}}}, "x_embedder": {"gather": [{"dim": 1}]}})"),
               {2, 1});
  EXPECT_TRUE(c.has("rope_prepare", "split_output.2", "no later gather")) << c.dump();
  // On one module the gather's post-forward runs before split_output's.
  c = validate(plan(R"({"proj_out": {"split_output": {"0": {"dim": 1}}, "gather": [{"dim": 1}]}})"), {2, 1});
  EXPECT_TRUE(c.has("proj_out", "split_output.0", "no later gather")) << c.dump();
  // A gather at the root covers anything inside it; an input split and gather on one module pair up.
  c = validate(plan(R"({"rope_prepare": {"split_output": {"2": {"dim": 0}}}, "": {"gather": [{"dim": 1}]}})"), {2, 1});
  EXPECT_FALSE(c.find("rope_prepare", "split_output.2", "no later gather")) << c.dump();
  c = validate(plan(R"({"proj_out": {"split": {"input": {"dim": 1}}, "gather": [{"dim": 1}]}})"), {2, 1});
  EXPECT_TRUE(c.issues.empty()) << c.dump();
  // Without a tree: only "never gathers" can be decided.
  EXPECT_TRUE(Check{validate_plan(plan(R"({"a": {"split": {"x": {"dim": 1}}}})"), nullptr, {{2, 1}, {}})}.has(
      "a", "split.x", "never gathers"));
}

TEST(PlanValidation, AWildcardElementLeftUngatheredIsNamedAfterAGatheredOne) {
  // blocks.0's input split is gathered at blocks.0's output; blocks.1's is gathered nowhere.
  const Check c = validate(
      plan(R"({"blocks.*": {"split": {"hidden_states": {"dim": 1}}}, "blocks.0": {"gather": [{"dim": 1}]}})"), {2, 1});
  const ValidationIssue* i = c.find("blocks.*", "split.hidden_states", "no later gather");
  ASSERT_NE(i, nullptr) << c.dump();
  EXPECT_EQ(i->module_path, "blocks.1");
}

TEST(PlanValidation, ANegativeOutputIndexIsRefusedOnceWithoutReadingTheOutput) {
  SequenceParallelPlan p = plan(kGood);
  p.entries[1].splits[0].key = InputKey::index(-1);  // JSON cannot say this; C++ callers can
  const Check c = validate(p, {2, 1});
  EXPECT_TRUE(c.has("rope_prepare", "split_output.-1", "cannot be negative")) << c.dump();
}

TEST(PlanValidation, PaddedGroupNeedsAGatherOfThatGroup) {
  Check c = validate(plan(R"({"": {"split": {"hidden_states": {"dim": 1, "auto_pad": true, "shard_group": "image"}}},
                              "proj_out": {"gather": [{"dim": 1}]}})"),
                     {2, 1});
  EXPECT_TRUE(c.has("", "split.hidden_states", "no later gather of that group trims")) << c.dump();
  c = validate(
      plan(
          R"({"": {"split": {"hidden_states": {"dim": 1}}}, "proj_out": {"gather": [{"dim": 1, "shard_group": "video"}]}})"),
      {2, 1});
  EXPECT_TRUE(c.has("proj_out", "gather[0].shard_group", "which no auto_pad split records")) << c.dump();
}

TEST(PlanValidation, SequenceMustDivideUnlessAutoPad) {
  const SequenceParallelPlan strict =
      plan(R"({"": {"split": {"hidden_states": {"dim": 1}}}, "proj_out": {"gather": [{"dim": 1}]}})");
  Check c = validate(strict, {4, 1}, {63});
  const ValidationIssue* i = c.find("", "split.hidden_states", "not divisible by the sequence-parallel size 4");
  ASSERT_NE(i, nullptr) << c.dump();
  EXPECT_EQ(i->fix, "SP sizes that divide it: 1, 3, 7, 9, 21, 63; or set auto_pad");
  EXPECT_NE(i->message.find("sequence length 63 on dim 1 of [1, 63, 16]"), std::string::npos) << i->message;
  // Ring cannot pad, so the fix does not offer auto_pad there.
  c = validate(strict, {2, 2}, {63});
  EXPECT_EQ(c.find("", "split.hidden_states", "not divisible")->fix, "SP sizes that divide it: 1, 3, 7, 9, 21, 63");
  // auto_pad makes Ulysses fine.
  EXPECT_TRUE(validate(plan(kGood), {4, 1}, {63}).issues.empty());
}

TEST(PlanValidation, AutoPadUnderRingIsRefusedWhenPaddingIsNeeded) {
  Check c = validate(plan(kGood), {2, 2}, {63});
  EXPECT_TRUE(c.has("", "split.hidden_states.auto_pad", "ring attention cannot mask")) << c.dump();
  EXPECT_TRUE(c.has("rope_prepare", "split_output.2.auto_pad", "ring attention cannot mask")) << c.dump();
  // Divisible at this resolution: nothing to pad, nothing to report.
  EXPECT_TRUE(validate(plan(kGood), {2, 2}, {64}).issues.empty());
  // Unknown shapes: a warning that says what will happen.
  c = validate(plan(kGood), {1, 2}, {64}, /*with_shapes=*/false);
  EXPECT_TRUE(c.has("", "split.hidden_states.auto_pad", "refused at run time", Severity::Warning)) << c.dump();
  EXPECT_FALSE(has_errors(c.issues));
}

TEST(PlanValidation, HeadsMustDivideByUlysses) {
  Check c = validate(plan(kGood), {4, 1}, {64, 8, 6, 6});
  const ValidationIssue* i = c.find(std::nullopt, "ulysses_degree", "6 query heads");
  ASSERT_NE(i, nullptr) << c.dump();
  EXPECT_EQ(i->module_path, "blocks.0.attn");
  EXPECT_NE(i->message.find("the same in 2 more attention modules"), std::string::npos);
  EXPECT_EQ(i->fix, "use ulysses_degree in {1, 2, 3, 6} and make up the rest with ring_degree");
  // Key/value heads are checked on their own (grouped-query attention).
  c = validate(plan(kGood), {4, 1}, {64, 8, 8, 2});
  EXPECT_TRUE(c.has(std::nullopt, "ulysses_degree", "2 key/value heads")) << c.dump();
  EXPECT_FALSE(c.find(std::nullopt, "ulysses_degree", "query heads"));
  // Ring does not split heads; cross-attention (3 heads, skip SP) is never checked.
  EXPECT_TRUE(validate(plan(kGood), {1, 4}, {64, 8, 6, 6}).issues.empty());
  EXPECT_TRUE(validate(plan(kGood), {2, 1}, {64, 8, 4, 4}).issues.empty());
}

TEST(PlanValidation, DegreesMustMatchTheWorkers) {
  const Check c = validate(plan(kGood), {2, 2}, {}, true, 8);
  EXPECT_TRUE(c.has(std::nullopt, "world_size", "must equal the 8 worker")) << c.dump();
  EXPECT_TRUE(validate(plan(kGood), {0, 2}).has(std::nullopt, "ulysses_degree", "at least 1"));
}

TEST(PlanValidation, UnknownParameterOutputIndexAndGatherCount) {
  const Check c = validate(plan(R"({
      "": {"split": {"hidden": {"dim": 1}}},
      "rope_prepare": {"split_output": {"4": {"dim": 0}}},
      "proj_out": {"gather": [{"dim": 1}, null]}})"),
                           {2, 1});
  EXPECT_TRUE(c.has("", "split.hidden",
                    "TestDiT has no forward parameter 'hidden' (parameters: hidden_states, encoder_hidden_states, "
                    "timestep, img_ids, txt_ids)"))
      << c.dump();
  EXPECT_TRUE(c.has("rope_prepare", "split_output.4", "RopePrepare returns 4 output(s); index 4 is out of range"));
  EXPECT_TRUE(c.has("proj_out", "gather", "returns 1 output(s) but the gather lists 2 spec(s)"));
}

TEST(PlanValidation, PathsAndHookability) {
  const Check c = validate(plan(R"({
      "blocks.*.mlp": {"split": {"x": {"dim": 1}}},
      "norm_out": {"gather": [{"dim": 1}]}})"),
                           {2, 1});
  EXPECT_TRUE(c.has("blocks.*.mlp", "", "'mlp' is not a submodule of 'blocks.0' (Block)")) << c.dump();
  EXPECT_TRUE(c.has("norm_out", "", "cannot carry SP hooks"));
}

TEST(PlanValidation, WildcardEntriesReportEachCoveredModule) {
  ModuleNode root = testing::fixture_tree();
  root.children[3].children[1].signature = {"x"};  // blocks.1 lost its hidden_states parameter
  const Check c{validate_plan(
      plan(R"({"blocks.*": {"split": {"hidden_states": {"dim": 1}}}, "proj_out": {"gather": [{"dim": 1}]}})"), &root,
      {{2, 1}, {}})};
  const ValidationIssue* i = c.find("blocks.*", "split.hidden_states", "no forward parameter");
  ASSERT_NE(i, nullptr) << c.dump();
  EXPECT_EQ(i->module_path, "blocks.1");
  EXPECT_EQ(c.issues.size(), 1u) << c.dump();
}

TEST(PlanValidation, ExpectedDimsAndDimRange) {
  const Check c = validate(plan(R"({
      "": {"split": {"hidden_states": {"dim": 1, "expected_dims": 4}, "img_ids": {"dim": 2}}},
      "proj_out": {"gather": [{"dim": 1}]}})"),
                           {2, 1});
  EXPECT_TRUE(c.has("", "split.hidden_states.expected_dims", "leaves it unsharded", Severity::Warning)) << c.dump();
  EXPECT_TRUE(c.has("", "split.img_ids.dim", "dim 2 is out of range for [64, 2]"));
}

TEST(PlanValidation, ListParametersTakeOneSpecPerElement) {
  Check c = validate(plan(R"({"blocks.*": {"split": {"image_rotary_emb": [null, null, {"dim": 0}, {"dim": 0}],
                                                     "hidden_states": {"dim": 1}}},
                              "proj_out": {"gather": [{"dim": 1}]}})"),
                     {2, 1});
  EXPECT_TRUE(c.issues.empty()) << c.dump();
  c = validate(
      plan(
          R"({"blocks.0": {"split": {"image_rotary_emb": [null, {"dim": 0}]}}, "proj_out": {"gather": [{"dim": 1}]}})"),
      {2, 1});
  EXPECT_TRUE(c.has("blocks.0", "split.image_rotary_emb", "has 4 elements but the plan gives 2 specs")) << c.dump();
  c = validate(plan(R"({"blocks.0": {"split": {"temb": [{"dim": 0}]}}, "proj_out": {"gather": [{"dim": 1}]}})"),
               {2, 1});
  EXPECT_TRUE(c.has("blocks.0", "split.temb", "not a list")) << c.dump();
}

TEST(PlanValidation, PartialSplitChecksTheImagePartAndTextSource) {
  ModuleNode root = testing::fixture_tree({62, 6});
  ModuleNode& rope = root.children[2];
  rope.output = ValueShape::list({ValueShape::tensor({68, 8}), ValueShape::tensor({68, 8})});  // [text | image]
  auto run = [&](const std::string& entries, ParallelConfig c) {
    return Check{validate_plan(plan(entries), &root, {c, {}})};
  };
  const std::string gather = R"(, "proj_out": {"gather": [{"dim": 1}]}})";

  Check c = run(R"({"rope_prepare": {"split_output": {"0": {"dim": 0, "text_len": "txt_ids"}}})" + gather, {2, 1});
  EXPECT_TRUE(c.issues.empty()) << c.dump();  // 68 - 6 = 62 image rows divide by 2
  c = run(R"({"rope_prepare": {"split_output": {"0": {"dim": 0, "text_len": "txt_ids"}}})" + gather, {4, 1});
  EXPECT_TRUE(c.has("rope_prepare", "split_output.0", "image length 62 (after 6 text rows)")) << c.dump();
  EXPECT_EQ(c.find("rope_prepare", "split_output.0", "image length")->fix, "SP sizes that divide it: 1, 2, 31, 62");
  c = run(R"({"rope_prepare": {"split_output": {"0": {"dim": 0, "text_len": "text_ids"}}})" + gather, {2, 1});
  EXPECT_TRUE(c.has("rope_prepare", "split_output.0.text_len", "'text_ids', which is not a forward parameter"))
      << c.dump();
  c = run(R"({"rope_prepare": {"split_output": {"0": {"dim": 0, "text_len": 70}}})" + gather, {2, 1});
  EXPECT_TRUE(c.has("rope_prepare", "split_output.0.text_len", "exceeds the tensor's length 68")) << c.dump();
}

TEST(PlanValidation, EmptyEntriesAndEmptyWildcardsWarn) {
  ModuleNode root = testing::fixture_tree();
  root.children[3].children.clear();
  const Check c{validate_plan(plan(R"({"blocks.*": {"split": {"hidden_states": {"dim": 1}}}, "proj_out": {}})"), &root,
                              {{1, 1}, {}})};
  EXPECT_TRUE(c.has("blocks.*", "", "covers no modules", Severity::Warning)) << c.dump();
  EXPECT_TRUE(c.has("proj_out", "", "does nothing", Severity::Warning)) << c.dump();
}

TEST(PlanValidation, RequireValidPlanThrowsWithEveryIssue) {
  const ModuleNode root = testing::fixture_tree();
  try {
    require_valid_plan(plan(R"({"x": {"split": {"a": {"dim": 1}}}, "y": {"gather": [{"dim": 1}]}})"), &root,
                       {{2, 1}, {}});
    FAIL();
  } catch (const PlanError& e) {
    EXPECT_EQ(e.issues().size(), 2u);
    EXPECT_NE(std::string(e.what()).find("plan entry \"x\""), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("plan entry \"y\""), std::string::npos);
  }
}

}  // namespace
}  // namespace spstudio
