// SPDX-License-Identifier: Apache-2.0
// Every rule of core/common/plan_validation.cpp shows on the right node of the editor's tree: one
// broken plan per rule (configuration, key resolution, hookability, split keys and lists, spec
// fields, parameters and outputs, shapes and divisibility, ring padding, gathers, shard groups,
// gather-after-split, heads), each asserting the node that carries the issue (severity role and
// issue text), and that the issue list and the node's issue list name the fix where the validator
// gives one.
#include <QListWidget>
#include <QtTest>
#include <functional>

#include "common/plan_json.h"
#include "plan_fixtures.h"
#include "ui/plan/plan_editor.h"
#include "ui/plan/plan_tree_model.h"

using namespace spstudio;
using namespace spstudio::ui;
using plan_fixtures::plan_with;

namespace {

enum class Tweak { None, EmptySingleBlocks, NoRootShapes };

struct RuleCase {
  const char* name;
  std::string entries;                          // plan_with(entries), unless `build` is set
  std::function<SequenceParallelPlan()> build;  // plans JSON cannot express
  const char* node;                             // the module path that must carry the issue
  Severity severity;
  const char* message;  // a piece of the issue's message
  const char* fix;      // a piece of its fix ("" when the validator gives none)
  ParallelConfig degrees{1, 1};
  Tweak tweak = Tweak::None;

  RuleCase with(ParallelConfig d) const {
    RuleCase c = *this;
    c.degrees = d;
    return c;
  }
  RuleCase on(Tweak t) const {
    RuleCase c = *this;
    c.tweak = t;
    return c;
  }
};

RuleCase rule(const char* name, std::string entries, const char* node, Severity severity, const char* message,
              const char* fix = "") {
  return {name, std::move(entries), {}, node, severity, message, fix};
}

RuleCase built(const char* name, std::function<SequenceParallelPlan()> build, const char* node, const char* message) {
  return {name, {}, std::move(build), node, Severity::Error, message, ""};
}

SequenceParallelPlan one_entry_plan(PlanEntry entry) {
  SequenceParallelPlan plan;
  plan.model = "FluxTransformer2DModel";
  plan.entries.push_back(std::move(entry));
  return plan;
}

SplitSpec output_spec() {
  SequenceParallelInput spec;
  spec.split_dim = 0;
  spec.split_output = true;
  return spec;
}

SequenceParallelPlan pos_embed_negative_index() {
  return one_entry_plan({"pos_embed", {{InputKey::index(-1), output_spec()}}, std::nullopt});
}

SequenceParallelPlan list_element_split_output() {
  const std::vector<std::optional<SplitSpec>> list{std::nullopt, std::nullopt, output_spec(), std::nullopt};
  return one_entry_plan({"transformer_blocks.0.attn", {{InputKey::name("image_rotary_emb"), list}}, std::nullopt});
}

const std::string kFlux = R"(
  "": { "split": { "hidden_states": { "dim": 1, "expected_dims": 3, "auto_pad": true } } },
  "pos_embed": { "split_output": { "2": { "dim": 0, "expected_dims": 2, "auto_pad": true },
                                   "3": { "dim": 0, "expected_dims": 2, "auto_pad": true } } },
  "proj_out": { "gather": [{ "dim": 1, "expected_dims": 3 }] })";
const std::string kGather = R"(, "proj_out": { "gather": [{ "dim": 1 }] })";
constexpr Severity E = Severity::Error;
constexpr Severity W = Severity::Warning;

const std::vector<RuleCase>& cases() {
  static const std::vector<RuleCase> all = {
      // check_config
      rule("degree below 1", kGather.substr(2), "", E, "must be at least 1").with({0, 1}),
      // resolve: keys that do not resolve sit on the root
      rule("unknown submodule", R"("nosuch": { "gather": [{ "dim": 1 }] })", "", E, "'nosuch' is not a submodule"),
      rule("two wildcards", R"("transformer_blocks.*.ff.net.*": { "gather": [{ "dim": 1 }] })", "", E,
           "may be used only once"),
      rule("wildcard on a module", R"("proj_out.*": { "gather": [{ "dim": 1 }] })", "", E, "needs a ModuleList"),
      rule("wildcard over an empty list", R"("single_transformer_blocks.*": { "gather": [{ "dim": 1 }] })",
           "single_transformer_blocks", W, "covers no modules")
          .on(Tweak::EmptySingleBlocks),
      // check_entry
      rule("empty entry", R"("x_embedder": {})" + kGather, "x_embedder", W, "it does nothing"),
      rule("not hookable", R"("transformer_blocks.0.attn.attention": { "gather": [{ "dim": 1 }] })",
           "transformer_blocks.0.attn.attention", E, "cannot carry SP hooks"),
      // check_split: keys
      rule("index key with a list", R"("pos_embed": { "split": { "2": [{ "dim": 0 }] } })" + kGather, "pos_embed", E,
           "takes one spec, not a list"),
      rule("index key without split_output", R"("pos_embed": { "split": { "2": { "dim": 0 } } })" + kGather,
           "pos_embed", E, "needs split_output=true", "move it under \"split_output\""),
      built("negative output index", pos_embed_negative_index, "pos_embed", "cannot be negative"),
      rule("split_output keyed by name", R"("pos_embed": { "split_output": { "img_ids": { "dim": 0 } } })" + kGather,
           "pos_embed", E, "must be an output index, not the name 'img_ids'"),
      // check_list_argument
      rule("list for a tensor", R"("": { "split": { "hidden_states": [{ "dim": 1 }] } })" + kGather, "", E,
           "not a list, but the plan gives a list"),
      rule("list of the wrong length",
           R"("transformer_blocks.0.attn": { "split": { "image_rotary_emb": [null, { "dim": 0 }] } })" + kGather,
           "transformer_blocks.0.attn", E, "has 4 elements but the plan gives 2 specs"),
      // spec fields
      built("list element with split_output", list_element_split_output, "transformer_blocks.0.attn",
            "element specs cannot use split_output"),
      rule("shard_group without auto_pad",
           R"("": { "split": { "hidden_states": { "dim": 1, "shard_group": "img" } } })" + kGather, "", E,
           "requires auto_pad", "set \"auto_pad\": true or remove shard_group"),
      rule("split expected_dims 0",
           R"("": { "split": { "hidden_states": { "dim": 1, "expected_dims": 0 } } })" + kGather, "", E,
           "expected_dims must be at least 1"),
      rule("negative text_len",
           R"("": { "split": { "encoder_hidden_states": { "dim": 1, "text_len": -1 } } })" + kGather, "", E,
           "text_len cannot be negative"),
      rule("auto_pad under ring, no shapes", kFlux, "", W, "ring attention cannot mask padding")
          .with({1, 2})
          .on(Tweak::NoRootShapes),
      // check_split_on_module
      rule("unknown parameter", R"("proj_out": { "split": { "hidden": { "dim": 1 } }, "gather": [{ "dim": 1 }] })",
           "proj_out", E, "has no forward parameter 'hidden' (parameters: input)"),
      rule("output index out of range", R"("pos_embed": { "split_output": { "7": { "dim": 0 } } })" + kGather,
           "pos_embed", E, "returns 4 output(s); index 7 is out of range"),
      rule("text_len names no parameter",
           R"("": { "split": { "encoder_hidden_states": { "dim": 1, "text_len": "nope" } } })" + kGather, "", E,
           "text_len names 'nope'"),
      // check_split_shape
      rule("split of a list",
           R"("transformer_blocks.0.attn": { "split": { "image_rotary_emb": { "dim": 0 } } })" + kGather,
           "transformer_blocks.0.attn", E, "a split needs a tensor"),
      rule("expected_dims mismatch",
           R"("": { "split": { "hidden_states": { "dim": 1, "expected_dims": 4 } } })" + kGather, "", W,
           "leaves it unsharded"),
      rule("dim out of range", R"("": { "split": { "hidden_states": { "dim": 3 } } })" + kGather, "", E,
           "dim 3 is out of range for [1, 256, 64]"),
      rule("text_len beyond the tensor",
           R"("": { "split": { "encoder_hidden_states": { "dim": 1, "text_len": 600 } } })" + kGather, "", E,
           "text_len 600 exceeds the tensor's length 512"),
      // 256 tokens over 3 ranks: the sizes that divide 256 (up to 64), plus auto_pad where ring is 1.
      rule("not divisible, ring", R"("": { "split": { "hidden_states": { "dim": 1 } } })" + kGather, "", E,
           "is not divisible by the sequence-parallel size 3", "SP sizes that divide it: 1, 2, 4, 8, 16, 32, 64")
          .with({1, 3}),
      rule("not divisible, ulysses", R"("": { "split": { "hidden_states": { "dim": 1 } } })" + kGather, "", E,
           "is not divisible by the sequence-parallel size 3",
           "SP sizes that divide it: 1, 2, 4, 8, 16, 32, 64; or set auto_pad")
          .with({3, 1}),
      // 256 rows with 1 text row: 255 image rows over 2 ranks; the divisors of 255 up to 64.
      rule("partial split not divisible",
           R"("transformer_blocks.0.attn": { "split": { "hidden_states": { "dim": 1, "text_len": 1 } } })" + kGather,
           "transformer_blocks.0.attn", E, "image length 255 (after 1 text rows)",
           "SP sizes that divide it: 1, 3, 5, 15, 17, 51")
          .with({1, 2}),
      rule("auto_pad under ring", kFlux, "", E, "ring attention cannot mask the padding",
           "use ring_degree 1 (Ulysses pads and masks)")
          .with({1, 3}),
      // check_gather
      rule("gather of nothing", R"("proj_out": { "gather": [] })", "proj_out", E, "gather lists no outputs"),
      rule("gather group nobody pads", R"("proj_out": { "gather": [{ "dim": 1, "shard_group": "nope" }] })", "proj_out",
           E, "which no auto_pad split records", "use the shard_group of the split whose padding this gather trims"),
      rule("gather expected_dims 0", R"("proj_out": { "gather": [{ "dim": 1, "expected_dims": 0 }] })", "proj_out", E,
           "expected_dims must be at least 1"),
      rule("every gather null", R"("proj_out": { "gather": [null] })", "proj_out", W, "every gather spec is null"),
      rule("gather count", R"("pos_embed": { "gather": [{ "dim": 0 }] })", "pos_embed", E,
           "returns 4 output(s) but the gather lists 1 spec(s)"),
      // whole-plan rules
      rule("shard_group at two keys", R"(
             "": { "split": { "hidden_states": { "dim": 1, "auto_pad": true, "shard_group": "g" } } },
             "pos_embed": { "split_output": { "2": { "dim": 0, "auto_pad": true, "shard_group": "g" } } },
             "proj_out": { "gather": [{ "dim": 1, "shard_group": "g" }] })",
           "pos_embed", E, "is already used at plan key \"\" (root)", "give this boundary its own shard_group"),
      rule("no later gather", R"("": { "split": { "hidden_states": { "dim": 1 } } })", "", E, "has no later gather",
           "add a gather after it"),
      rule("gather before the split", R"(
             "x_embedder": { "gather": [{ "dim": 1 }] },
             "transformer_blocks.1": { "split": { "hidden_states": { "dim": 1 } } })",
           "transformer_blocks.1", E, "has no later gather", "add a gather after it"),
      rule("padding never trimmed", R"(
             "": { "split": { "hidden_states": { "dim": 1, "auto_pad": true, "shard_group": "img" } } },
             "proj_out": { "gather": [{ "dim": 1 }] })",
           "", E, "no later gather of that group trims", "give a later gather \"shard_group\": \"img\""),
      // check_heads: the first attention in module order carries it
      rule("heads", kFlux, "transformer_blocks.0.attn.attention", E,
           "has 4 query heads, which ulysses_degree 3 does not divide", "use ulysses_degree in {1, 2, 4}")
          .with({3, 1}),
  };
  return all;
}

ModelManifest tweaked(Tweak tweak) {
  ModelManifest manifest = plan_fixtures::tiny_flux_manifest();
  for (ModuleNode& child : manifest.root.children) {
    if (tweak == Tweak::EmptySingleBlocks && child.name == "single_transformer_blocks") child.children.clear();
  }
  if (tweak == Tweak::NoRootShapes) manifest.root.inputs.clear();
  return manifest;
}

QStringList item_texts(const QListWidget* list) {
  QStringList texts;
  for (int i = 0; i < list->count(); ++i)
    texts << list->item(i)->text();
  return texts;
}

bool any_contains(const QStringList& texts, const QString& a, const QString& b = {}) {
  for (const QString& t : texts)
    if (t.contains(a) && t.contains(b)) return true;
  return false;
}

}  // namespace

class TestPlanEditorValidation : public QObject {
  Q_OBJECT
 private slots:
  void ruleShowsOnItsNode_data() {
    QTest::addColumn<int>("index");
    for (std::size_t i = 0; i < cases().size(); ++i)
      QTest::newRow(cases()[i].name) << static_cast<int>(i);
  }

  void ruleShowsOnItsNode() {
    QFETCH(int, index);
    const RuleCase& rule = cases()[static_cast<std::size_t>(index)];
    PlanEditor editor;
    editor.setPlan(rule.build ? rule.build() : plan_from_json(plan_with(rule.entries)));
    editor.setDegrees(rule.degrees);
    editor.setManifest(tweaked(rule.tweak));

    // The validator reports it...
    const QString message = QString::fromUtf8(rule.message);
    const QString fix = QString::fromUtf8(rule.fix);
    bool reported = false;
    for (const ValidationIssue& issue : editor.issues())
      reported =
          reported || (issue.severity == rule.severity && QString::fromStdString(issue.message).contains(message));
    QVERIFY2(reported, qPrintable("not reported: " + message));

    // ...on the node the rule is about, coloured by its severity...
    const QModelIndex node = editor.treeModel()->indexForPath(QString::fromUtf8(rule.node));
    QVERIFY(node.isValid());
    const int level = node.data(PlanTreeModel::SeverityRole).toInt();
    QVERIFY(level >= (rule.severity == E ? PlanTreeModel::ErrorLevel : PlanTreeModel::WarningLevel));
    const QString prefix = rule.severity == E ? "error: " : "warning: ";
    const QStringList on_node = node.data(PlanTreeModel::IssuesRole).toStringList();
    QVERIFY2(any_contains(on_node, prefix, message), qPrintable(on_node.join('\n')));
    if (!fix.isEmpty()) QVERIFY2(any_contains(on_node, message, "(fix: " + fix), qPrintable(on_node.join('\n')));

    // ...in the list of all issues, with its fix, and beside the node once selected.
    const QStringList all = item_texts(editor.findChild<QListWidget*>("planIssues"));
    QVERIFY2(any_contains(all, message, fix.isEmpty() ? QString() : "(fix: " + fix), qPrintable(all.join('\n')));
    QVERIFY(editor.selectPath(QString::fromUtf8(rule.node)));
    const QStringList beside = item_texts(editor.findChild<QListWidget*>("nodeIssues"));
    QVERIFY2(any_contains(beside, message, fix), qPrintable(beside.join('\n')));
  }

  void withoutAModelAShardWithNoGatherIsReported() {
    // Before the model is described only the plan-only rules run; the issue list still names the fix.
    PlanEditor editor;
    editor.setPlan(plan_from_json(plan_with(R"("": { "split": { "hidden_states": { "dim": 1 } } })")));
    const QStringList all = item_texts(editor.findChild<QListWidget*>("planIssues"));
    QVERIFY2(any_contains(all, "never gathers", "(fix: add a gather, e.g. at the output projection)"),
             qPrintable(all.join('\n')));
  }

  void wildcardIssuesSitOnEveryElement() {
    // A shard_group without auto_pad under a wildcard key: the issue names no module, so every
    // element the key covers carries it.
    PlanEditor editor;
    editor.setPlan(plan_from_json(plan_with(R"(
      "transformer_blocks.*.attn": { "split": { "hidden_states": { "dim": 1, "shard_group": "g" } } },
      "proj_out": { "gather": [{ "dim": 1 }] })")));
    editor.setManifest(plan_fixtures::tiny_flux_manifest());
    for (const char* path : {"transformer_blocks.0.attn", "transformer_blocks.1.attn"}) {
      const QModelIndex node = editor.treeModel()->indexForPath(path);
      QCOMPARE(node.data(PlanTreeModel::SeverityRole).toInt(), int(PlanTreeModel::ErrorLevel));
      QVERIFY(any_contains(node.data(PlanTreeModel::IssuesRole).toStringList(),
                           "plan entry \"transformer_blocks.*.attn\"", "requires auto_pad"));
    }
    QCOMPARE(
        editor.treeModel()->indexForPath("single_transformer_blocks.0.attn").data(PlanTreeModel::SeverityRole).toInt(),
        int(PlanTreeModel::NoIssue));
  }
};

QTEST_MAIN(TestPlanEditorValidation)
#include "test_plan_editor_validation.moc"
