// SPDX-License-Identifier: Apache-2.0
// The window's analysis tabs with real spworker processes under Xvfb: the plan editor on the
// manifest spworker describes (a validation error on its nodes, then a dry run on CPU workers), the
// timeline of a real U2×R2 generation, and a sweep of four configurations in the comparison view.
// Each leaves a screenshot in $SPSTUDIO_SCREENSHOT_DIR for a person to look at.
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>
#include <QTreeView>
#include <memory>
#include <set>

#include "app/gui/main_window.h"
#include "common/profiling/range_names.h"
#include "ui/comparison/comparison_view.h"
#include "ui/comparison/results_table_model.h"
#include "ui/plan/plan_editor.h"
#include "ui/plan/plan_tree_model.h"
#include "ui/timeline/timeline_panel.h"
#include "window_test_support.h"

using namespace spstudio;
using namespace spstudio::gui;

class WorkbenchRealWorkersTest : public QObject {
  Q_OBJECT
  std::unique_ptr<MainWindow> window_;

  void setForm(int ulysses, int ring, int size, int steps) {
    ui::GenerationParams p = window_->params();
    p.prompt = "a lighthouse on a cliff at sunset, oil painting";
    p.width = p.height = size;
    p.steps = steps;
    p.seed = 7;
    p.seed_mode = ui::SeedMode::Fixed;
    p.ulysses_degree = ulysses;
    p.ring_degree = ring;
    p.device = "cpu";
    window_->setParams(p);
  }

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("SP Studio tests");
    QCoreApplication::setApplicationName("spstudio-workbench-test");
    MainWindowOptions options;
    options.pool.worker_program = testing::spworker_path();
    options.pool.threads_per_worker = 1;
    options.restore_settings = false;
    window_ = std::make_unique<MainWindow>(options);
    window_->resize(1500, 950);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
  }

  void cleanupTestCase() { window_.reset(); }

  // Ring attention cannot mask auto_pad's padding: the shipped Flux plan at U1×R3 (256 image tokens
  // do not divide by 3) is refused on the two nodes whose splits pad, with the fix; at U1×R2 it is
  // valid and the dry run on CPU workers passes.
  void planEditorShowsTheErrorOnItsNodesThenDryRuns() {
    window_->tabs()->setCurrentIndex(1);
    ui::PlanEditor* editor = window_->workbench()->planEditor();
    QVERIFY(QTest::qWaitFor([&] { return editor->treeModel()->rowCount() > 0; }, 60000));
    QCOMPARE(editor->planHeight(), 256);
    QVERIFY(!editor->plan().entries.empty());  // the shipped plan, from the manifest
    editor->setDegrees({1, 3});
    std::set<std::string> error_nodes;
    for (const ValidationIssue& issue : editor->issues()) {
      if (issue.severity != Severity::Error) continue;
      QVERIFY2(issue.field.find("auto_pad") != std::string::npos, issue.to_string().c_str());
      QVERIFY2(issue.fix.find("ring_degree 1") != std::string::npos, issue.to_string().c_str());
      error_nodes.insert(issue.module_path.value_or("?"));
    }
    QCOMPARE(error_nodes, (std::set<std::string>{"", "pos_embed"}));
    QVERIFY(!window_->findChild<QPushButton*>("dryRunButton")->isEnabled());
    // Show the error on its node, as a person would see it after clicking pos_embed.
    auto* tree = window_->findChild<QTreeView*>("planTree");
    const QModelIndexList found = editor->treeModel()->match(editor->treeModel()->index(0, 0), Qt::DisplayRole,
                                                             "pos_embed", 1, Qt::MatchExactly | Qt::MatchRecursive);
    QCOMPARE(found.size(), 1);
    tree->setCurrentIndex(found.first());
    testing::save_screenshot(window_.get(), "spstudio-plan-editor-error.png");

    editor->setDegrees({1, 2});
    QVERIFY(std::none_of(editor->issues().begin(), editor->issues().end(),
                         [](const ValidationIssue& i) { return i.severity == Severity::Error; }));
    auto* dry_run = window_->findChild<QPushButton*>("dryRunButton");
    QVERIFY(dry_run->isEnabled());
    dry_run->click();
    auto* status = window_->findChild<QLabel*>("dryRunStatus");
    QVERIFY(QTest::qWaitFor([&] { return !status->text().contains("running"); }, 120000));
    qInfo("%s", qPrintable(status->text()));
    QVERIFY2(status->text().contains("dry run passed: U1×R2 on 2 workers (cpu)"), qPrintable(status->text()));

    window_->findChild<QPushButton*>("usePlanButton")->click();
    QVERIFY2(window_->params().plan_path.endsWith("FluxTransformer2DModel-edited.json"),
             qPrintable(window_->params().plan_path));
  }

  void timelineOfATwoByTwoRun() {
    window_->tabs()->setCurrentIndex(0);
    setForm(2, 2, 128, 4);
    GenerationController* controller = window_->controller();
    QVERIFY(QTest::qWaitFor(
        [&] {
          return controller->host()->state() == app::PoolState::Ready && controller->host()->workers().size() == 4;
        },
        60000));
    QVERIFY(window_->generate());
    QVERIFY(QTest::qWaitFor([&] { return controller->gallery()->rowCount() >= 1 && !controller->busy(); }, 120000));
    ui::TimelinePanel* timeline = window_->workbench()->timeline();
    QVERIFY(QTest::qWaitFor([&] { return !timeline->ranges().empty(); }, 5000));
    std::set<int> ranks;
    std::map<std::string, int> per_name;
    for (const auto& r : timeline->ranges()) {
      ranks.insert(r.rank);
      if (r.rank == 0) ++per_name[r.name];
    }
    QCOMPARE(ranks, (std::set<int>{0, 1, 2, 3}));
    QCOMPARE(per_name[range_names::kStep], 4);      // one per step
    QVERIFY(per_name[range_names::kAllToAll] > 0);  // Ulysses
    QVERIFY(per_name[range_names::kRingP2P] > 0);   // and the ring
    window_->tabs()->setCurrentIndex(2);
    testing::save_screenshot(window_.get(), "spstudio-timeline-2x2.png");
  }

  void comparisonOfFourConfigurations() {
    window_->tabs()->setCurrentIndex(3);
    ui::ComparisonView* comparison = window_->workbench()->comparison();
    comparison->findChild<QLineEdit*>("sweepConfigs")->setText("1x1,2x1,1x2,2x2");
    comparison->findChild<QSpinBox*>("sweepSteps")->setValue(2);
    comparison->findChild<QSpinBox*>("sweepRepeat")->setValue(2);
    comparison->findChild<QSpinBox*>("sweepWarmup")->setValue(1);
    comparison->findChild<QSpinBox*>("sweepHeight")->setValue(128);
    comparison->findChild<QSpinBox*>("sweepWidth")->setValue(128);
    comparison->findChild<QPushButton*>("runSweepButton")->click();
    QVERIFY(QTest::qWaitFor([&] { return comparison->results()->rowCount() == 4; }, 240000));
    std::set<QString> configs;
    for (int row = 0; row < 4; ++row)
      configs.insert(comparison->results()->index(row, 1).data().toString());
    QCOMPARE(configs, (std::set<QString>{"1x1", "2x1", "1x2", "2x2"}));
    QVERIFY(QTest::qWaitFor([&] { return comparison->findChild<QPushButton*>("runSweepButton")->isEnabled(); }, 5000));
    testing::save_screenshot(window_.get(), "spstudio-compare-4-configs.png");
  }
};

QTEST_MAIN(WorkbenchRealWorkersTest)
#include "test_workbench_real_workers.moc"
