// SPDX-License-Identifier: Apache-2.0
// PlanEditor, offscreen, on the tiny-flux manifest and plans/flux.json: the shipped plan loads; edits
// made through the spec editor's widgets (a dim, auto_pad, a gather added and removed, a split added
// and removed, a list element, a wildcard key) give the hand-written plans and undo back to the
// file byte for byte; save → load is identical; a broken file keeps the plan and names file and
// entry; degrees, resolution, dry run, diff, reset, and issue activation.
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTreeView>
#include <QTreeWidget>
#include <QtTest>

#include "common/plan_json.h"
#include "plan_fixtures.h"
#include "ui/plan/plan_editor.h"
#include "ui/plan/plan_tree_model.h"
#include "ui/plan/spec_editor.h"

using namespace spstudio;
using namespace spstudio::ui;
using plan_fixtures::plan_with;

namespace {

template <typename T>
T* child(QWidget* parent, const char* name) {
  T* widget = parent->findChild<T*>(QString::fromLatin1(name));
  if (!widget) qFatal("no widget named %s", name);
  return widget;
}

QString file_text() {
  return QString::fromStdString(plan_fixtures::flux_plan_text());
}

/// The file's text with one piece replaced (checked to be there exactly once).
QString file_with(const QString& from, const QString& to) {
  const QString text = file_text();
  if (text.count(from) != 1) qFatal("the fixture changed: %s", qPrintable(from));
  return QString(text).replace(from, to);
}

void write(const QString& path, const QByteArray& bytes) {
  QFile file(path);
  QVERIFY(file.open(QIODevice::WriteOnly));
  file.write(bytes);
}

int select_key(QComboBox* combo, const QString& text) {
  const int index = combo->findText(text);
  if (index < 0) qFatal("no item %s", qPrintable(text));
  combo->setCurrentIndex(index);
  return index;
}

}  // namespace

class TestPlanEditor : public QObject {
  Q_OBJECT
 private:
  ModelManifest manifest_ = plan_fixtures::tiny_flux_manifest();

 private slots:
  void loadsTheShippedPlan() {
    PlanEditor editor;
    QCOMPARE(editor.objectName(), QString("planEditor"));
    editor.setManifest(manifest_);
    QCOMPARE(editor.planJson(), file_text());  // the tiny-flux shipped plan is plans/flux.json
    QCOMPARE(editor.planHeight(), 256);
    QCOMPARE(editor.planWidth(), 256);
    QVERIFY(editor.issues().empty());
    // The tree is expanded two levels: the root's children show theirs.
    auto* tree = child<QTreeView>(&editor, "planTree");
    QVERIFY(tree->isExpanded(editor.treeModel()->indexForPath("")));
    QVERIFY(tree->isExpanded(editor.treeModel()->indexForPath("transformer_blocks")));
    QVERIFY(!tree->isExpanded(editor.treeModel()->indexForPath("transformer_blocks.0")));
    // A plan set before the manifest is kept.
    PlanEditor other;
    const SequenceParallelPlan mine = plan_from_json(plan_with(R"("proj_out": { "gather": [{ "dim": 1 }] })"));
    other.setPlan(mine);
    other.setManifest(manifest_);
    QCOMPARE(other.plan(), mine);
    // Another resolution of the same model keeps it; another model class starts from its own
    // shipped plan, with no undo into the old model's plan.
    ModelManifest larger = manifest_;
    larger.resolution = std::make_pair(512, 512);
    other.setManifest(larger);
    QCOMPARE(other.plan(), mine);
    ModelManifest renamed = manifest_;
    renamed.model = "OtherTransformer";
    renamed.shipped_plan = plan_with(R"("norm_out": { "gather": [{ "dim": 1 }] })");
    other.setManifest(renamed);
    QCOMPARE(other.plan(), plan_from_json(renamed.shipped_plan));
    QVERIFY(!other.canUndo());
  }

  void editsThroughTheSpecEditorRoundTrip() {
    PlanEditor editor;
    editor.setManifest(manifest_);
    QVERIFY(editor.loadPlanFile(plan_fixtures::flux_plan_path()).isEmpty());
    QSignalSpy edited(&editor, &PlanEditor::planEdited);
    auto* specs = child<QListWidget>(&editor, "specList");
    auto* tree = child<QTreeView>(&editor, "planTree");

    // 1. The root's hidden_states split: dim 1 → 2.
    QVERIFY(editor.selectPath(""));
    QCOMPARE(specs->count(), 1);
    QCOMPARE(specs->item(0)->text(), QString("split hidden_states (dim 1, expects 3-D, pad)"));
    child<QSpinBox>(&editor, "specDim")->setValue(2);
    const QString dim2 = file_with(R"("hidden_states": { "dim": 1, "expected_dims": 3, "auto_pad": true })",
                                   R"("hidden_states": { "dim": 2, "expected_dims": 3, "auto_pad": true })");
    QCOMPARE(editor.planJson(), dim2);
    QCOMPARE(edited.count(), 1);
    QCOMPARE(edited.last().at(0).toString(), dim2);
    QCOMPARE(editor.selectedPath(), QString(""));
    QVERIFY(editor.hasSelection());
    QCOMPARE(specs->currentRow(), 0);

    // 2. auto_pad off.
    child<QCheckBox>(&editor, "specAutoPad")->click();
    const QString no_pad = file_with(R"("hidden_states": { "dim": 1, "expected_dims": 3, "auto_pad": true })",
                                     R"("hidden_states": { "dim": 2, "expected_dims": 3 })");
    QCOMPARE(editor.planJson(), no_pad);

    // 3–5. norm_out: Add (a split of its first parameter), make it a gather, remove it.
    QVERIFY(editor.selectPath("norm_out"));
    QCOMPARE(specs->count(), 0);
    child<QPushButton>(&editor, "specAdd")->click();
    QCOMPARE(specs->count(), 1);
    QCOMPARE(specs->currentItem()->text(), QString("split x (dim 1)"));
    select_key(child<QComboBox>(&editor, "specKind"), "gather");
    const QString with_gather = QString(no_pad).replace(
        "    \"proj_out\": {\n      \"gather\": [{ \"dim\": 1, \"expected_dims\": 3 }]\n    }\n",
        "    \"proj_out\": {\n      \"gather\": [{ \"dim\": 1, \"expected_dims\": 3 }]\n    },\n"
        "    \"norm_out\": {\n      \"gather\": [{ \"dim\": 1 }]\n    }\n");
    QVERIFY(with_gather != no_pad);
    QCOMPARE(editor.planJson(), with_gather);
    QCOMPARE(specs->currentItem()->text(), QString("gather [0] (dim 1)"));
    QCOMPARE(editor.treeModel()->indexForPath("norm_out", PlanTreeModel::PlanColumn).data().toString(),
             QString("gather [0] dim 1"));
    child<QPushButton>(&editor, "specRemove")->click();
    QCOMPARE(editor.planJson(), no_pad);
    QCOMPARE(specs->count(), 0);

    // 6–7. x_embedder: add a split, then remove it.
    QVERIFY(editor.selectPath("x_embedder"));
    child<QPushButton>(&editor, "specAdd")->click();
    QCOMPARE(editor.plan().find("x_embedder")->splits.at(0).key, InputKey::name("input"));
    child<QPushButton>(&editor, "specRemove")->click();
    QCOMPARE(editor.planJson(), no_pad);
    QCOMPARE(edited.count(), 7);
    // Selection and expansion survived every edit (no model reset).
    QCOMPARE(editor.selectedPath(), QString("x_embedder"));
    QVERIFY(tree->isExpanded(editor.treeModel()->indexForPath("transformer_blocks")));

    // Undo all seven: the file, byte for byte; redo all: the last state.
    for (int i = 0; i < 7; ++i) {
      QVERIFY(editor.canUndo());
      editor.undo();
    }
    QVERIFY(!editor.canUndo());
    QCOMPARE(editor.planJson(), file_text());
    for (int i = 0; i < 7; ++i)
      editor.redo();
    QCOMPARE(editor.planJson(), no_pad);
    // Three steps back (the x_embedder pair and the gather's removal): the state with the gather.
    for (int i = 0; i < 3; ++i)
      child<QPushButton>(&editor, "planUndo")->click();
    QCOMPARE(editor.planJson(), with_gather);
    QVERIFY(child<QPushButton>(&editor, "planRedo")->isEnabled());
  }

  void listElementsAndWildcards() {
    PlanEditor editor;
    editor.setManifest(manifest_);
    auto* specs = child<QListWidget>(&editor, "specList");
    QVERIFY(editor.selectPath("transformer_blocks.0.attn"));
    // Add under the wildcard key: every double-stream block's attention gets it.
    auto* entry = child<QComboBox>(&editor, "specEntry");
    QCOMPARE(entry->count(), 2);
    select_key(entry, "transformer_blocks.*.attn");
    child<QPushButton>(&editor, "specAdd")->click();
    QCOMPARE(specs->currentItem()->text(), QString("split hidden_states (dim 1) via transformer_blocks.*.attn"));
    QCOMPARE(editor.treeModel()->indexForPath("transformer_blocks.1.attn", PlanTreeModel::PlanColumn).data().toString(),
             QString("split hidden_states (dim 1) via transformer_blocks.*.attn"));
    // Make it the image RoPE tables' element 2, dim 0: a list of four specs, three null.
    select_key(child<QComboBox>(&editor, "specKey"), "image_rotary_emb[2]");
    child<QSpinBox>(&editor, "specDim")->setValue(0);
    const SequenceParallelPlan expected = plan_from_json(plan_with(R"(
      "transformer_blocks.*.attn": { "split": { "image_rotary_emb": [null, null, { "dim": 0 }, null] } })"));
    QVERIFY(editor.plan().find("transformer_blocks.*.attn"));
    QCOMPARE(*editor.plan().find("transformer_blocks.*.attn"), expected.entries.at(0));
    QCOMPARE(specs->currentItem()->text(), QString("split image_rotary_emb[2] (dim 0) via transformer_blocks.*.attn"));
    // Partial split with text_len from a parameter, then remove: the entry goes.
    select_key(child<QComboBox>(&editor, "specKey"), "image_rotary_emb[3]");
    const SequenceParallelPlan moved = plan_from_json(plan_with(R"(
      "transformer_blocks.*.attn": { "split": { "image_rotary_emb": [null, null, null, { "dim": 0 }] } })"));
    QCOMPARE(*editor.plan().find("transformer_blocks.*.attn"), moved.entries.at(0));
    child<QPushButton>(&editor, "specRemove")->click();
    QVERIFY(!editor.plan().find("transformer_blocks.*.attn"));
  }

  void partialSplitFromTheForm() {
    PlanEditor editor;
    editor.setManifest(manifest_);
    QVERIFY(editor.selectPath(""));
    select_key(child<QComboBox>(&editor, "specTextLenMode"), "parameter");
    select_key(child<QComboBox>(&editor, "specTextLenParameter"), "txt_ids");
    const SequenceParallelPlan expected = plan_from_json(plan_with(R"(
      "": { "split": { "hidden_states": { "dim": 1, "expected_dims": 3, "text_len": "txt_ids" } } })"));
    QCOMPARE(*editor.plan().find(""), expected.entries.at(0));
    QVERIFY(!child<QCheckBox>(&editor, "specAutoPad")->isEnabled());  // a partial split never pads
    select_key(child<QComboBox>(&editor, "specTextLenMode"), "integer");
    child<QSpinBox>(&editor, "specTextLen")->setValue(16);
    const SequenceParallelPlan constant = plan_from_json(plan_with(R"(
      "": { "split": { "hidden_states": { "dim": 1, "expected_dims": 3, "text_len": 16 } } })"));
    QCOMPARE(*editor.plan().find(""), constant.entries.at(0));
  }

  void saveAndLoad() {
    QTemporaryDir dir;
    PlanEditor editor;
    editor.setManifest(manifest_);
    QVERIFY(editor.selectPath("proj_out"));
    child<QSpinBox>(&editor, "specDim")->setValue(-2);
    const QString saved_json = editor.planJson();
    const QString path = dir.filePath("edited.json");
    QCOMPARE(editor.savePlanFile(path), QString());
    QCOMPARE(QString::fromStdString(plan_fixtures::read_text(path)), saved_json);
    editor.resetToShipped();
    QCOMPARE(editor.planJson(), file_text());
    QCOMPARE(editor.loadPlanFile(path), QString());
    QCOMPARE(editor.planJson(), saved_json);
    const QString unwritable = editor.savePlanFile(dir.filePath("no/such/folder/plan.json"));
    QVERIFY2(unwritable.contains("no/such/folder/plan.json"), qPrintable(unwritable));
  }

  void brokenFilesKeepThePlan() {
    QTemporaryDir dir;
    PlanEditor editor;
    editor.setManifest(manifest_);
    const QString before = editor.planJson();
    const QString bad = dir.filePath("bad.json");
    write(bad, QByteArray::fromStdString(plan_with(R"("proj_out": { "gather": [{ "dim": "one" }] })")));
    const QString error = editor.loadPlanFile(bad);
    QVERIFY2(error.contains(bad) && error.contains("plan entry \"proj_out\"") && error.contains("gather[0].dim"),
             qPrintable(error));
    QCOMPARE(editor.planJson(), before);
    const QString not_json = dir.filePath("not.json");
    write(not_json, "{ nope");
    const QString error2 = editor.loadPlanFile(not_json);
    QVERIFY2(error2.contains(not_json) && error2.contains("not valid JSON"), qPrintable(error2));
    const QString missing = editor.loadPlanFile(dir.filePath("missing.json"));
    QVERIFY2(missing.contains(dir.filePath("missing.json")), qPrintable(missing));
    QCOMPARE(editor.planJson(), before);
    QVERIFY(!editor.canUndo());
  }

  void degreesAndDryRun() {
    PlanEditor editor;
    editor.setManifest(manifest_);
    auto* ulysses = child<QSpinBox>(&editor, "planUlysses");
    auto* ring = child<QSpinBox>(&editor, "planRing");
    auto* dry_run = child<QPushButton>(&editor, "dryRunButton");
    QSignalSpy degrees(&editor, &PlanEditor::degreesChanged);
    QSignalSpy resolution(&editor, &PlanEditor::resolutionChanged);
    ulysses->setValue(2);
    ring->setValue(2);
    QCOMPARE(degrees.count(), 2);
    QCOMPARE(editor.degrees(), (ParallelConfig{2, 2}));
    QCOMPARE(child<QLabel>(&editor, "planSpSize")->text(), QString("SP size 4"));
    QVERIFY(dry_run->isEnabled());
    // U=3 does not divide tiny-flux's 4 heads: an error, and no dry run.
    ulysses->setValue(3);
    QVERIFY(has_errors(editor.issues()));
    QVERIFY(!dry_run->isEnabled());
    editor.setDegrees({2, 1});
    QCOMPARE(ulysses->value(), 2);
    QCOMPARE(ring->value(), 1);
    QVERIFY(dry_run->isEnabled());
    QCOMPARE(resolution.count(), 0);  // degrees need no new manifest

    QSignalSpy requested(&editor, &PlanEditor::dryRunRequested);
    dry_run->click();
    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.at(0).at(0).toString(), editor.planJson());
    QCOMPARE(requested.at(0).at(1).value<ParallelConfig>(), (ParallelConfig{2, 1}));
    QCOMPARE(requested.at(0).at(2).toInt(), 256);
    QCOMPARE(requested.at(0).at(3).toInt(), 256);
    auto* status = child<QLabel>(&editor, "dryRunStatus");
    editor.showDryRunResult(true, "2 ranks, 1 step");
    QCOMPARE(status->text(), QString("dry run passed: 2 ranks, 1 step"));
    editor.showDryRunResult(false, "rank 1: shapes differ");
    QCOMPARE(status->text(), QString("dry run failed: rank 1: shapes differ"));
  }

  void resolution() {
    PlanEditor editor;
    editor.setManifest(manifest_);
    QSignalSpy changed(&editor, &PlanEditor::resolutionChanged);
    editor.setResolution(512, 384);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toInt(), 512);
    QCOMPARE(changed.at(0).at(1).toInt(), 384);
    editor.setResolution(512, 384);
    QCOMPARE(changed.count(), 1);  // unchanged: no signal
    auto* height = child<QSpinBox>(&editor, "planHeight");
    QCOMPARE(height->singleStep(), 16);
    height->stepUp();  // 528: one re-describe for a burst of steps, after a short pause
    height->stepUp();
    QVERIFY(changed.wait(2000));
    QCOMPARE(changed.count(), 2);
    QCOMPARE(changed.last().at(0).toInt(), 544);
    // The new manifest's resolution fills the boxes again, silently.
    editor.setManifest(manifest_);
    QCOMPARE(editor.planHeight(), 256);
    QCOMPARE(changed.count(), 2);
  }

  void diffResetAndIssues() {
    PlanEditor editor;
    editor.setManifest(manifest_);
    auto* reset = child<QPushButton>(&editor, "planReset");
    QVERIFY(!reset->isEnabled());  // the plan is the shipped one
    editor.setPlan(plan_from_json(plan_with(R"(
      "": { "split": { "hidden_states": { "dim": 1, "expected_dims": 3, "auto_pad": true } } },
      "pos_embed": { "split_output": { "7": { "dim": 0 } } },
      "proj_out": { "gather": [{ "dim": 1, "expected_dims": 3 }] })")));
    auto* diff_button = child<QPushButton>(&editor, "planDiffButton");
    diff_button->click();
    auto* diff = child<QTreeWidget>(&editor, "planDiff");
    QVERIFY(!diff->isHidden());
    QCOMPARE(diff->topLevelItemCount(), 1);
    QCOMPARE(diff->topLevelItem(0)->text(0), QString("pos_embed"));
    QCOMPARE(diff->topLevelItem(0)->text(1), QString("changed"));
    QVERIFY(diff->topLevelItem(0)->text(3).contains("\"7\": { \"dim\": 0 }"));

    // pos_embed returns 4 outputs: index 7 is an error on pos_embed; activating it selects the node.
    auto* issues = child<QListWidget>(&editor, "planIssues");
    int row = -1;
    for (int i = 0; i < issues->count(); ++i)
      if (issues->item(i)->text().contains("index 7 is out of range")) row = i;
    QVERIFY(row >= 0);
    QVERIFY(issues->item(row)->text().contains("plan entry \"pos_embed\""));
    emit issues->itemActivated(issues->item(row));
    QCOMPARE(editor.selectedPath(), QString("pos_embed"));
    auto* node_issues = child<QListWidget>(&editor, "nodeIssues");
    QVERIFY(node_issues->count() >= 1);
    QVERIFY(node_issues->item(0)->text().startsWith("error: split_output.7: FluxPosEmbed returns 4 output(s)"));
    QVERIFY(!child<QPushButton>(&editor, "dryRunButton")->isEnabled());

    QVERIFY(reset->isEnabled());
    reset->click();
    QCOMPARE(editor.planJson(), file_text());
    QCOMPARE(diff->topLevelItemCount(), 1);
    QCOMPARE(diff->topLevelItem(0)->text(0), QString("the plan is the shipped plan"));
    QVERIFY(child<QPushButton>(&editor, "dryRunButton")->isEnabled());
    editor.undo();  // reset is an edit
    QVERIFY(editor.plan().find("pos_embed")->splits.at(0).key == InputKey::index(7));
  }
};

QTEST_MAIN(TestPlanEditor)
#include "test_plan_editor.moc"
