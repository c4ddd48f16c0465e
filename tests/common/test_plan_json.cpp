// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "common/issues.h"
#include "common/plan_json.h"

namespace spstudio {
namespace {

const char* kDesignExample = R"({
  "format": "spstudio-plan/1",
  "model": "FluxTransformer2DModel",
  "entries": {
    "":             { "split":  { "hidden_states": { "dim": 1, "expected_dims": 3, "auto_pad": true } } },
    "rope_prepare": { "split_output": { "2": { "dim": 0 }, "3": { "dim": 0 } } },
    "proj_out":     { "gather": [ { "dim": 1, "expected_dims": 3 } ] }
  }
})";

/// The issues a PlanError carries for `text`; fails the test if the text parses.
std::vector<ValidationIssue> parse_issues(const std::string& text) {
  try {
    plan_from_json(text);
  } catch (const PlanError& e) {
    return e.issues();
  }
  ADD_FAILURE() << "expected a PlanError for: " << text;
  return {};
}

std::string with_entries(const std::string& entries) {
  return R"({"format": "spstudio-plan/1", "model": "M", "entries": )" + entries + "}";
}

TEST(PlanJson, ParsesTheDesignExample) {
  const SequenceParallelPlan plan = plan_from_json(kDesignExample);
  EXPECT_EQ(plan.model, "FluxTransformer2DModel");
  ASSERT_EQ(plan.entries.size(), 3u);

  const PlanEntry& root = plan.entries[0];
  EXPECT_EQ(root.key, "");
  ASSERT_EQ(root.splits.size(), 1u);
  EXPECT_EQ(root.splits[0].key, InputKey::name("hidden_states"));
  const auto& hidden = std::get<SequenceParallelInput>(std::get<SplitSpec>(root.splits[0].value));
  EXPECT_EQ(hidden.split_dim, 1);
  EXPECT_EQ(hidden.expected_dims, 3);
  EXPECT_TRUE(hidden.auto_pad);
  EXPECT_FALSE(hidden.split_output);
  EXPECT_FALSE(root.gather.has_value());

  const PlanEntry& rope = plan.entries[1];
  ASSERT_EQ(rope.splits.size(), 2u);
  EXPECT_EQ(rope.splits[0].key, InputKey::index(2));
  EXPECT_EQ(rope.splits[1].key, InputKey::index(3));
  EXPECT_TRUE(split_output(std::get<SplitSpec>(rope.splits[1].value)));
  EXPECT_EQ(split_dim(std::get<SplitSpec>(rope.splits[1].value)), 0);

  const PlanEntry& proj = plan.entries[2];
  ASSERT_TRUE(proj.gather.has_value());
  ASSERT_EQ(proj.gather->size(), 1u);
  EXPECT_EQ((*proj.gather)[0]->gather_dim, 1);
  EXPECT_EQ((*proj.gather)[0]->expected_dims, 3);
}

TEST(PlanJson, RoundTripIsLosslessAndCanonical) {
  const std::string text = with_entries(R"({
    "blocks.*": { "split": {
        "image_rotary_emb": [null, { "dim": 0, "text_len": "txt_ids" }, { "dim": 0, "text_len": 7, "expected_dims": 2 }],
        "mask": { "dim": 1, "auto_pad": true, "shard_group": "image" } } },
    "rope": { "split_output": { "0": { "dim": 0, "text_len": 3 } } },
    "proj_out": { "gather": [ { "dim": 1, "shard_group": "image" }, null ] },
    "empty": {}
  })");
  const SequenceParallelPlan plan = plan_from_json(text);
  const std::string canonical = plan_to_json(plan);
  EXPECT_EQ(plan_from_json(canonical), plan);
  EXPECT_EQ(plan_to_json(plan_from_json(canonical)), canonical);

  // Key order and the partial/list/null details survive.
  ASSERT_EQ(plan.entries.size(), 4u);
  EXPECT_EQ(plan.entries[0].key, "blocks.*");
  EXPECT_EQ(plan.entries[3].key, "empty");
  const auto& list = std::get<std::vector<std::optional<SplitSpec>>>(plan.entries[0].splits[0].value);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_FALSE(list[0].has_value());
  EXPECT_EQ(std::get<SequenceParallelPartialInput>(*list[1]).text_len, TextLenSource{std::string("txt_ids")});
  EXPECT_EQ(std::get<SequenceParallelPartialInput>(*list[2]).text_len, TextLenSource{std::int64_t{7}});
  EXPECT_TRUE(split_output(std::get<SplitSpec>(plan.entries[1].splits[0].value)));
  EXPECT_FALSE((*plan.entries[2].gather)[1].has_value());
}

TEST(PlanJson, CanonicalTextReadsLikeATable) {
  const std::string text = plan_to_json(plan_from_json(kDesignExample));
  EXPECT_NE(text.find(R"("hidden_states": { "dim": 1, "expected_dims": 3, "auto_pad": true })"), std::string::npos)
      << text;
  EXPECT_NE(text.find(R"("gather": [{ "dim": 1, "expected_dims": 3 }])"), std::string::npos) << text;
}

TEST(PlanJson, IntegerKeyUnderSplitIsKeptForTheValidator) {
  const SequenceParallelPlan plan = plan_from_json(with_entries(R"({"rope": {"split": {"2": {"dim": 0}}}})"));
  const InputSplit& s = plan.entries[0].splits[0];
  EXPECT_EQ(s.key, InputKey::index(2));
  EXPECT_FALSE(split_output(std::get<SplitSpec>(s.value)));
  EXPECT_EQ(plan_from_json(plan_to_json(plan)), plan);
}

TEST(PlanJson, MalformedJsonSaysSo) {
  const auto issues = parse_issues("{ \"format\": ");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_NE(issues[0].message.find("not valid JSON"), std::string::npos);
}

TEST(PlanJson, FormatIsRequiredAndChecked) {
  auto issues = parse_issues(R"({"model": "M", "entries": {}})");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].field, "format");
  issues = parse_issues(R"({"format": "spstudio-plan/9", "model": "M", "entries": {}})");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_NE(issues[0].message.find("spstudio-plan/1"), std::string::npos);
}

TEST(PlanJson, EveryStructuralProblemNamesItsEntryAndField) {
  const auto issues = parse_issues(with_entries(R"({
    "a": { "split": { "x": { "dims": 1 } } },
    "b": { "split": { "x": { "dim": "one" } } },
    "c": { "split_output": { "0": [ { "dim": 0 } ] } },
    "d": { "gather": { "dim": 1 } },
    "e": { "split": { "x": { "dim": 1, "text_len": 4, "auto_pad": true } } },
    "f": { "splitt": {} },
    "g": { "gather": [ { "dim": 1, "auto_pad": true } ] },
    "h": { "split": { "x": { "dim": 1, "auto_pad": "yes" } } }
  })"));
  auto has = [&](const std::string& key, const std::string& field, const std::string& words) {
    for (const ValidationIssue& i : issues)
      if (i.plan_key == key && i.field == field && i.message.find(words) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has("a", "split.x.dims", "unknown field 'dims'"));
  EXPECT_TRUE(has("a", "split.x.dim", "missing \"dim\""));
  EXPECT_TRUE(has("b", "split.x.dim", "must be an integer"));
  EXPECT_TRUE(has("c", "split_output.0", "one spec, not a list"));
  EXPECT_TRUE(has("d", "gather", "one spec (or null) per output"));
  EXPECT_TRUE(has("e", "split.x", "cannot auto_pad"));
  EXPECT_TRUE(has("f", "splitt", "unknown field 'splitt'"));
  EXPECT_TRUE(has("g", "gather[0].auto_pad", "unknown field 'auto_pad'"));
  EXPECT_TRUE(has("h", "split.x.auto_pad", "true or false"));
  EXPECT_EQ(issues.size(), 9u);
  for (const ValidationIssue& i : issues)
    EXPECT_NE(i.to_string().find("plan entry \"" + *i.plan_key + "\""), std::string::npos);
}

TEST(PlanJson, LoadPlanFileNamesTheFile) {
  const std::string path = ::testing::TempDir() + "spstudio_bad_plan.json";
  {
    std::ofstream out(path);
    out << with_entries(R"({"x": {"gather": 3}})");
  }
  try {
    load_plan_file(path);
    FAIL() << "expected a PlanError";
  } catch (const PlanError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_EQ(e.issues().at(0).plan_key, "x");
  }
  std::remove(path.c_str());
  EXPECT_THROW(load_plan_file(path), PlanError);
}

}  // namespace
}  // namespace spstudio
