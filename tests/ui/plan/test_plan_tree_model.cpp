// SPDX-License-Identifier: Apache-2.0
// PlanTreeModel under QAbstractItemModelTester on the tiny-flux manifest: the tree mirrors the
// manifest (counted from the raw JSON), plan markers sit on the right nodes (a wildcard key on every
// element it covers, "via"), shapes follow the degrees without a new manifest, issues colour their
// nodes, and plan / degree / issue changes are dataChanged only, so persistent indexes survive.
#include <QAbstractItemModelTester>
#include <QBrush>
#include <QSignalSpy>
#include <QtTest>
#include <nlohmann/json.hpp>

#include "common/plan_json.h"
#include "common/plan_validation.h"
#include "plan_fixtures.h"
#include "ui/plan/plan_tree_model.h"

using namespace spstudio;
using namespace spstudio::ui;
using plan_fixtures::plan_with;

namespace {

/// The node count and the (path, class) of every node, walked over the fixture's raw JSON.
void walk_json(const nlohmann::json& node, const std::string& path, std::vector<std::pair<QString, QString>>& out) {
  out.push_back({QString::fromStdString(path), QString::fromStdString(node.at("class").get<std::string>())});
  if (!node.contains("children")) return;
  for (const auto& child : node.at("children")) {
    const std::string name = child.at("name").get<std::string>();
    walk_json(child, path.empty() ? name : path + "." + name, out);
  }
}

void walk_model(const QAbstractItemModel& model, const QModelIndex& parent,
                std::vector<std::pair<QString, QString>>& out) {
  for (int row = 0; row < model.rowCount(parent); ++row) {
    const QModelIndex index = model.index(row, PlanTreeModel::ModuleColumn, parent);
    out.push_back({index.data(PlanTreeModel::ModulePathRole).toString(),
                   model.index(row, PlanTreeModel::ClassColumn, parent).data().toString()});
    walk_model(model, index, out);
  }
}

QString cell(const PlanTreeModel& model, const QString& path, int column, int role = Qt::DisplayRole) {
  return model.indexForPath(path, column).data(role).toString();
}

QStringList list(const PlanTreeModel& model, const QString& path, int role) {
  return model.indexForPath(path).data(role).toStringList();
}

}  // namespace

class TestPlanTreeModel : public QObject {
  Q_OBJECT
 private:
  ModelManifest manifest_ = plan_fixtures::tiny_flux_manifest();

 private slots:
  void mirrorsTheManifest() {
    PlanTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    model.setManifest(manifest_);
    QCOMPARE(model.rowCount(), 1);  // the root, shown as the model class
    const QModelIndex root = model.index(0, 0);
    QCOMPARE(root.data().toString(), QString("FluxTransformer2DModel"));
    QCOMPARE(root.data(PlanTreeModel::ModulePathRole).toString(), QString());

    const nlohmann::json raw =
        nlohmann::json::parse(plan_fixtures::read_text(SPSTUDIO_TESTS_DATA_DIR "/tiny-flux-256.manifest.json"));
    std::vector<std::pair<QString, QString>> expected, actual;
    walk_json(raw.at("root"), "", expected);
    actual.push_back({root.data(PlanTreeModel::ModulePathRole).toString(),
                      model.index(0, PlanTreeModel::ClassColumn).data().toString()});
    walk_model(model, root, actual);
    QCOMPARE(actual.size(), expected.size());
    QVERIFY(actual == expected);
    QCOMPARE(model.rowCount(root), int(raw.at("root").at("children").size()));

    // Names and parents: transformer_blocks.1.attn is "attn" under "1" under "transformer_blocks".
    const QModelIndex attn = model.indexForPath("transformer_blocks.1.attn");
    QCOMPARE(attn.data().toString(), QString("attn"));
    QCOMPARE(attn.parent().data().toString(), QString("1"));
    QCOMPARE(attn.parent().parent().data().toString(), QString("transformer_blocks"));
    QCOMPARE(attn.parent().parent().parent(), root);
    QCOMPARE(cell(model, "transformer_blocks.1.attn", PlanTreeModel::ClassColumn), QString("FluxAttention"));
    QVERIFY(attn.data(PlanTreeModel::HookableRole).toBool());
    QVERIFY(!model.indexForPath("transformer_blocks.1.attn.attention").data(PlanTreeModel::HookableRole).toBool());
    QVERIFY(!model.indexForPath("no.such").isValid());
    QCOMPARE(model.headerData(PlanTreeModel::ShapesColumn, Qt::Horizontal).toString(), QString("Shapes"));
  }

  void markersAndShapes() {
    PlanTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setManifest(manifest_);
    model.setDegrees({2, 2});
    model.setPlan(plan_from_json(plan_fixtures::flux_plan_text()));
    QCOMPARE(cell(model, "", PlanTreeModel::PlanColumn), QString("split hidden_states (dim 1, pad)"));
    QCOMPARE(cell(model, "pos_embed", PlanTreeModel::PlanColumn), QString("split_output 2, 3 (dim 0, pad)"));
    QCOMPARE(cell(model, "proj_out", PlanTreeModel::PlanColumn), QString("gather [0] dim 1"));
    QCOMPARE(cell(model, "x_embedder", PlanTreeModel::PlanColumn), QString());
    QCOMPARE(list(model, "pos_embed", PlanTreeModel::MarkerKindsRole), QStringList{"split_output"});
    QCOMPARE(list(model, "proj_out", PlanTreeModel::PlanKeysRole), QStringList{"proj_out"});
    // U2×R2: SP size 4. 256 image tokens → 64; the image RoPE tables [256, 16] → [64, 16].
    QCOMPARE(cell(model, "", PlanTreeModel::ShapesColumn), QString("hidden_states [1, 256, 64] → [1, 64, 64]"));
    QCOMPARE(list(model, "pos_embed", PlanTreeModel::ShapeLinesRole),
             (QStringList{"output[2] [256, 16] → [64, 16]", "output[3] [256, 16] → [64, 16]"}));
    QCOMPARE(cell(model, "proj_out", PlanTreeModel::ShapesColumn),
             QString("gather output[0] [1, 64, 64] → [1, 256, 64]"));
    // New degrees, same manifest: U2×R1 → 256 / 2 = 128.
    QSignalSpy resets(&model, &QAbstractItemModel::modelAboutToBeReset);
    model.setDegrees({2, 1});
    QCOMPARE(cell(model, "", PlanTreeModel::ShapesColumn), QString("hidden_states [1, 256, 64] → [1, 128, 64]"));
    QCOMPARE(resets.count(), 0);
  }

  void wildcardAndPartialMarkers() {
    PlanTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setManifest(manifest_);
    model.setDegrees({2, 1});
    model.setPlan(plan_from_json(plan_with(R"(
      "": { "split": { "encoder_hidden_states": { "dim": 1, "text_len": "txt_ids" } } },
      "transformer_blocks.*.attn": { "split": { "hidden_states": { "dim": 1 } } },
      "transformer_blocks.1.attn": { "gather": [{ "dim": 1 }, null] })")));
    const QString via = "split hidden_states (dim 1) via transformer_blocks.*.attn";
    QCOMPARE(cell(model, "transformer_blocks.0.attn", PlanTreeModel::PlanColumn), via);
    QCOMPARE(cell(model, "transformer_blocks.1.attn", PlanTreeModel::PlanColumn), via + "; gather [0] dim 1");
    QCOMPARE(list(model, "transformer_blocks.1.attn", PlanTreeModel::PlanKeysRole),
             (QStringList{"transformer_blocks.*.attn", "transformer_blocks.1.attn"}));
    QCOMPARE(list(model, "transformer_blocks.1.attn", PlanTreeModel::MarkerKindsRole),
             (QStringList{"split", "gather"}));
    QCOMPARE(cell(model, "single_transformer_blocks.0.attn", PlanTreeModel::PlanColumn), QString());
    QCOMPARE(cell(model, "transformer_blocks", PlanTreeModel::PlanColumn), QString());
    // The element's own shapes: hidden_states [1, 256, 64] over 2 ranks.
    QCOMPARE(cell(model, "transformer_blocks.0.attn", PlanTreeModel::ShapesColumn),
             QString("hidden_states [1, 256, 64] → [1, 128, 64]"));
    QCOMPARE(cell(model, "", PlanTreeModel::PlanColumn),
             QString("partial encoder_hidden_states (dim 1, text_len txt_ids)"));
    QCOMPARE(list(model, "", PlanTreeModel::MarkerKindsRole), QStringList{"partial"});
    // 512 text rows (txt_ids is [512, 3]) of 512: the image part is empty, the shape stays.
    QCOMPARE(cell(model, "", PlanTreeModel::ShapesColumn),
             QString("encoder_hidden_states [1, 512, 32] → [1, 512, 32]"));
  }

  void issuesColourTheirNodes() {
    PlanTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setManifest(manifest_);
    const SequenceParallelPlan plan = plan_from_json(plan_with(R"(
      "": { "split": { "hidden_states": { "dim": 1 } } },
      "x_embedder": {},
      "proj_out": { "gather": [{ "dim": 1 }] })"));
    model.setPlan(plan);
    // The view's selection lives on persistent indexes: it must survive every update.
    QItemSelectionModel selection(&model);
    selection.setCurrentIndex(model.indexForPath("x_embedder"), QItemSelectionModel::ClearAndSelect);
    QSignalSpy resets(&model, &QAbstractItemModel::modelAboutToBeReset);
    QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
    PlanValidationOptions options;
    options.config = {1, 3};  // 256 tokens do not divide by 3
    model.setDegrees(options.config);
    model.setIssues(validate_plan(plan, model.rootModule(), options));
    QCOMPARE(resets.count(), 0);
    QVERIFY(changes.count() > 0);
    QCOMPARE(selection.currentIndex(), model.indexForPath("x_embedder"));

    const QModelIndex root = model.indexForPath("");
    QCOMPARE(root.data(PlanTreeModel::SeverityRole).toInt(), int(PlanTreeModel::ErrorLevel));
    QCOMPARE(root.data(Qt::BackgroundRole).value<QBrush>().color(), QColor(255, 205, 210));
    QVERIFY(root.data(Qt::DecorationRole).isValid());
    const QStringList root_issues = root.data(PlanTreeModel::IssuesRole).toStringList();
    QCOMPARE(root_issues.size(), 1);
    QVERIFY2(root_issues[0].startsWith("error: split.hidden_states: sequence length 256 on dim 1") &&
                 root_issues[0].contains("(fix: SP sizes that divide it: 1, 2, 4, 8, 16, 32, 64)"),
             qPrintable(root_issues[0]));
    QCOMPARE(cell(model, "", PlanTreeModel::IssuesColumn), root_issues[0]);
    // The empty entry is a warning: amber.
    const QModelIndex x = model.indexForPath("x_embedder", PlanTreeModel::IssuesColumn);
    QCOMPARE(x.data(PlanTreeModel::SeverityRole).toInt(), int(PlanTreeModel::WarningLevel));
    QCOMPARE(x.data(Qt::BackgroundRole).value<QBrush>().color(), QColor(255, 236, 179));
    QVERIFY(x.data().toString().startsWith("warning: the entry has no split"));
    QCOMPARE(model.indexForPath("proj_out").data(PlanTreeModel::SeverityRole).toInt(), int(PlanTreeModel::NoIssue));
    QVERIFY(!model.indexForPath("proj_out").data(Qt::BackgroundRole).isValid());
    // Shapes at U1×R3: the error shows in the Shapes column too.
    QCOMPARE(cell(model, "", PlanTreeModel::ShapesColumn),
             QString("hidden_states [1, 256, 64]: length 256 on dim 1 is not divisible by the SP size 3"));

    // All three at once: U2×R1 divides 256 (→ 128) and, with no issues given, no node is coloured.
    model.setState(plan, {2, 1}, {});
    QCOMPARE(resets.count(), 0);
    QCOMPARE(cell(model, "", PlanTreeModel::ShapesColumn), QString("hidden_states [1, 256, 64] → [1, 128, 64]"));
    QCOMPARE(model.indexForPath("").data(PlanTreeModel::SeverityRole).toInt(), int(PlanTreeModel::NoIssue));
    model.setDegrees(options.config);
    model.setIssues(validate_plan(plan, model.rootModule(), options));

    // A new manifest resets the tree (and keeps plan, degrees and issues placed on the new tree).
    model.setManifest(manifest_);
    QCOMPARE(resets.count(), 1);
    QCOMPARE(model.indexForPath("").data(PlanTreeModel::SeverityRole).toInt(), int(PlanTreeModel::ErrorLevel));
  }
};

QTEST_MAIN(TestPlanTreeModel)
#include "test_plan_tree_model.moc"
