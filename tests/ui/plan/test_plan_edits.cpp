// SPDX-License-Identifier: Apache-2.0
// plan_edits and plan_diff without widgets: splits set in place or inserted where plan_to_json puts
// them, split_outputs, gather elements, entries dropped when emptied and kept in place across a
// change of kind, the spec rows of a node (wildcards "via"), the keys Add offers, and the
// entry-by-entry diff with each side's canonical JSON. Expected plans are written out by hand.
#include <QtTest>

#include "common/plan_json.h"
#include "plan_fixtures.h"
#include "ui/plan/plan_diff.h"
#include "ui/plan/plan_edits.h"

using namespace spstudio;
using namespace spstudio::ui;
using plan_fixtures::plan_with;

namespace {

SequenceParallelPlan flux() {
  return plan_from_json(plan_fixtures::flux_plan_text());
}

SplitSpec whole(int dim, bool pad = false) {
  SequenceParallelInput s;
  s.split_dim = dim;
  s.auto_pad = pad;
  return s;
}

SplitSpec output(int dim) {
  SequenceParallelInput s;
  s.split_dim = dim;
  s.split_output = true;
  return s;
}

SequenceParallelOutput gather(int dim) {
  return {dim, std::nullopt, std::nullopt};
}

/// The canonical text of a plan written by hand (entries only; the model as flux.json's).
std::string canonical(const std::string& entries, const std::string& description = {}) {
  SequenceParallelPlan plan = plan_from_json(plan_with(entries));
  plan.description = description;
  return plan_to_json(plan);
}

QString q(const std::string& s) {
  return QString::fromStdString(s);
}

std::vector<std::string> entry_keys(const SequenceParallelPlan& plan) {
  std::vector<std::string> keys;
  for (const PlanEntry& e : plan.entries)
    keys.push_back(e.key);
  return keys;
}

}  // namespace

class TestPlanEdits : public QObject {
  Q_OBJECT
 private slots:
  void setSplitInsertsWherePlanToJsonPutsIt() {
    SequenceParallelPlan plan = flux();
    plan.description.clear();
    // An input split on pos_embed goes before its split_outputs; one on the root after hidden_states.
    set_split(plan, "pos_embed", InputKey::name("img_ids"), whole(0));
    set_split(plan, "", InputKey::name("img_ids"), whole(0, true));
    QCOMPARE(plan.find("pos_embed")->splits.front().key, InputKey::name("img_ids"));
    const std::string expected = canonical(R"(
      "": { "split": { "hidden_states": { "dim": 1, "expected_dims": 3, "auto_pad": true },
                       "img_ids": { "dim": 0, "auto_pad": true } } },
      "pos_embed": { "split": { "img_ids": { "dim": 0 } },
                     "split_output": { "2": { "dim": 0, "expected_dims": 2, "auto_pad": true },
                                       "3": { "dim": 0, "expected_dims": 2, "auto_pad": true } } },
      "proj_out": { "gather": [{ "dim": 1, "expected_dims": 3 }] })");
    QCOMPARE(q(plan_to_json(plan)), q(expected));
    QCOMPARE(plan, plan_from_json(expected));  // the same item order as the parser gives
  }

  void setSplitReplacesInPlace() {
    SequenceParallelPlan plan = flux();
    set_split(plan, "pos_embed", InputKey::index(2), output(1));
    const PlanEntry& e = *plan.find("pos_embed");
    QCOMPARE(e.splits.size(), std::size_t{2});
    QCOMPARE(e.splits[0].key, InputKey::index(2));
    QCOMPARE(std::get<SplitSpec>(e.splits[0].value), output(1));
    QCOMPARE(e.splits[1].key, InputKey::index(3));
  }

  void removingTheLastSpecRemovesTheEntry() {
    SequenceParallelPlan plan = flux();
    QVERIFY(remove_split(plan, "pos_embed", InputKey::index(2), true));
    QVERIFY(plan.find("pos_embed"));
    QVERIFY(!remove_split(plan, "pos_embed", InputKey::index(2), true));   // already gone
    QVERIFY(!remove_split(plan, "pos_embed", InputKey::index(3), false));  // wrong side
    QVERIFY(remove_split(plan, "pos_embed", InputKey::index(3), true));
    QCOMPARE(entry_keys(plan), (std::vector<std::string>{"", "proj_out"}));
  }

  void gatherElements() {
    SequenceParallelPlan plan = flux();
    set_gather_element(plan, "norm_out", 2, gather(1));  // a new entry, at the end, nulls before
    QCOMPARE(entry_keys(plan), (std::vector<std::string>{"", "pos_embed", "proj_out", "norm_out"}));
    QCOMPARE(*plan.find("norm_out")->gather,
             (std::vector<std::optional<SequenceParallelOutput>>{std::nullopt, std::nullopt, gather(1)}));
    set_gather_element(plan, "norm_out", 0, gather(2));
    QVERIFY(remove_gather_element(plan, "norm_out", 2));  // the last one: dropped with the nulls before it
    QCOMPARE(*plan.find("norm_out")->gather, (std::vector<std::optional<SequenceParallelOutput>>{gather(2)}));
    set_gather_element(plan, "norm_out", 1, gather(1));
    QVERIFY(remove_gather_element(plan, "norm_out", 0));  // an earlier one: becomes null
    QCOMPARE(*plan.find("norm_out")->gather,
             (std::vector<std::optional<SequenceParallelOutput>>{std::nullopt, gather(1)}));
    QVERIFY(!remove_gather_element(plan, "norm_out", 5));
    QVERIFY(remove_gather_element(plan, "norm_out", 1));
    QVERIFY(!plan.find("norm_out"));
    QCOMPARE(q(plan_to_json(plan)), q(plan_fixtures::flux_plan_text()));
  }

  void applyEditAddReplaceRemove() {
    const std::string original = plan_fixtures::flux_plan_text();
    SequenceParallelPlan plan = flux();
    // Add a split, change its dim, move it to another parameter, remove it: the file again.
    apply_edit(plan, PlanEdit{"x_embedder", std::nullopt, SpecId::split("input"), whole(1), std::nullopt});
    apply_edit(plan, PlanEdit{"x_embedder", SpecId::split("input"), SpecId::split("input"), whole(2), std::nullopt});
    QCOMPARE(std::get<SplitSpec>(plan.find("x_embedder")->splits.at(0).value), whole(2));
    apply_edit(plan, PlanEdit{"x_embedder", SpecId::split("input"), std::nullopt, whole(0), std::nullopt});
    QCOMPARE(q(plan_to_json(plan)), q(original));

    // The root's split becomes a gather: the removal empties the entry, which keeps its place.
    apply_edit(plan, PlanEdit{"", SpecId::split("hidden_states"), SpecId::gather(0), whole(0), gather(1)});
    QCOMPARE(entry_keys(plan), (std::vector<std::string>{"", "pos_embed", "proj_out"}));
    QVERIFY(plan.find("")->splits.empty());
    QCOMPARE(*plan.find("")->gather, (std::vector<std::optional<SequenceParallelOutput>>{gather(1)}));

    // A split_output index moves: in place.
    apply_edit(plan, PlanEdit{"pos_embed", SpecId::splitOutput(3), SpecId::splitOutput(1), output(0), std::nullopt});
    QCOMPARE(plan.find("pos_embed")->splits.at(1).key, InputKey::index(1));
    // A gather element changes: in place; removing a spec that is not there changes nothing.
    apply_edit(plan, PlanEdit{"proj_out", SpecId::gather(0), SpecId::gather(0), whole(0), gather(2)});
    QCOMPARE(*find_gather(plan, "proj_out", 0), gather(2));
    const SequenceParallelPlan before = plan;
    apply_edit(plan, PlanEdit{"proj_out", SpecId::gather(3), std::nullopt, whole(0), std::nullopt});
    QCOMPARE(plan, before);
  }

  void listElements() {
    const SplitValue list = with_list_element(SplitValue{}, 2, whole(0));
    QCOMPARE(std::get<std::vector<std::optional<SplitSpec>>>(list),
             (std::vector<std::optional<SplitSpec>>{std::nullopt, std::nullopt, whole(0)}));
    const SplitValue cleared = with_list_element(list, 2, std::nullopt);
    QCOMPARE(std::get<std::vector<std::optional<SplitSpec>>>(cleared).size(), std::size_t{3});
    QVERIFY(!std::get<std::vector<std::optional<SplitSpec>>>(cleared)[2]);
  }

  void specRows() {
    SequenceParallelPlan plan = plan_from_json(plan_with(R"(
      "transformer_blocks.*.attn": { "split": { "image_rotary_emb": [null, null, { "dim": 0 }, { "dim": 0 }] } },
      "transformer_blocks.0.attn": { "split": { "hidden_states": { "dim": 1, "auto_pad": true, "shard_group": "g" } },
                                     "gather": [{ "dim": 1 }, null] })"));
    const std::vector<SpecRow> rows =
        spec_rows(plan, {"transformer_blocks.*.attn", "transformer_blocks.0.attn"}, "transformer_blocks.0.attn");
    QStringList labels;
    for (const SpecRow& row : rows)
      labels << q(row.label);
    QCOMPARE(labels, (QStringList{
                         "split image_rotary_emb[2] (dim 0) via transformer_blocks.*.attn",
                         "split image_rotary_emb[3] (dim 0) via transformer_blocks.*.attn",
                         "split hidden_states (dim 1, pad, group g)",
                         "gather [0] (dim 1)",
                     }));
    QCOMPARE(rows[1].element, 3);
    QCOMPARE(rows[1].id, SpecId::split("image_rotary_emb"));
    QCOMPARE(rows[3].id, SpecId::gather(0));
    const std::vector<SpecRow> flux_rows = spec_rows(flux(), {"pos_embed"}, "pos_embed");
    QCOMPARE(flux_rows.size(), std::size_t{2});
    QCOMPARE(q(flux_rows[0].label), QString("split_output 2 (dim 0, expects 2-D, pad)"));
  }

  void keysForAdd() {
    const ModelManifest manifest = plan_fixtures::tiny_flux_manifest();
    QCOMPARE(plan_keys_for(manifest.root, "transformer_blocks.0.attn.to_out.0"),
             (std::vector<std::string>{"transformer_blocks.0.attn.to_out.0", "transformer_blocks.*.attn.to_out.0",
                                       "transformer_blocks.0.attn.to_out.*"}));
    QCOMPARE(plan_keys_for(manifest.root, "proj_out"), std::vector<std::string>{"proj_out"});
    QCOMPARE(plan_keys_for(manifest.root, ""), std::vector<std::string>{""});
  }

  void diff() {
    const SequenceParallelPlan shipped = flux();
    SequenceParallelPlan edited = shipped;
    set_split(edited, "", InputKey::name("hidden_states"), whole(1));  // auto_pad and expected_dims dropped
    remove_split(edited, "pos_embed", InputKey::index(2), true);
    remove_split(edited, "pos_embed", InputKey::index(3), true);
    set_gather_element(edited, "norm_out", 0, gather(1));
    const std::vector<PlanEntryDiff> diffs = diff_plans(shipped, edited);
    QCOMPARE(diffs.size(), std::size_t{3});
    QCOMPARE(diffs[0].change, PlanEntryDiff::Change::Changed);
    QCOMPARE(diffs[0].key, std::string(""));
    QCOMPARE(q(diffs[0].before_json), QString(R"("": {
  "split": {
    "hidden_states": { "dim": 1, "expected_dims": 3, "auto_pad": true }
  }
})"));
    QCOMPARE(q(diffs[0].after_json), QString(R"("": {
  "split": {
    "hidden_states": { "dim": 1 }
  }
})"));
    QCOMPARE(diffs[1].change, PlanEntryDiff::Change::Removed);
    QCOMPARE(diffs[1].key, std::string("pos_embed"));
    QVERIFY(diffs[1].after_json.empty());
    QCOMPARE(diffs[2].change, PlanEntryDiff::Change::Added);
    QCOMPARE(q(diffs[2].after_json), QString(R"("norm_out": {
  "gather": [{ "dim": 1 }]
})"));
    QVERIFY(diffs[2].before_json.empty());
    QVERIFY(diff_plans(shipped, shipped).empty());
    QCOMPARE(q(change_name(PlanEntryDiff::Change::Removed)), QString("removed"));
  }
};

QTEST_APPLESS_MAIN(TestPlanEdits)
#include "test_plan_edits.moc"
