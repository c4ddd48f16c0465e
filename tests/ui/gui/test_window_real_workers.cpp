// SPDX-License-Identifier: Apache-2.0
// The real thing, under a real X server (Xvfb): the window starts real spworker processes on the
// builtin model, one generation runs to the end through the Generate button, the image is compared
// against a single-rank reference of the same seed, saved as PNG, and a screenshot of the whole
// screen is written for a person to look at (SPSTUDIO_SCREENSHOT_DIR, default the working folder).
#include <QLabel>
#include <QPushButton>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>

#include "app/gui/main_window.h"
#include "app/png/png_file.h"
#include "app/png/png_metadata.h"
#include "ui/panels/generation_panel.h"
#include "ui/preview/preview_view.h"
#include "window_test_support.h"

using namespace spstudio;
using namespace spstudio::gui;

class WindowRealWorkersTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("SP Studio tests");
    QCoreApplication::setApplicationName("spstudio-real-window-test");
  }

  void generateCompareSaveAndScreenshot() {
    MainWindowOptions options;
    options.pool.worker_program = testing::spworker_path();
    options.pool.threads_per_worker = 1;
    options.restore_settings = false;
    MainWindow window(options);
    window.resize(1500, 950);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    ui::GenerationParams p = window.params();
    p.prompt = "a lighthouse on a cliff at sunset, oil painting";
    p.width = p.height = 256;
    p.steps = 8;
    p.seed = 3;
    p.seed_mode = ui::SeedMode::Fixed;
    p.ulysses_degree = 2;
    p.ring_degree = 1;
    p.device = "cpu";
    window.setParams(p);
    QCOMPARE(window.params().world(), 2);

    GenerationController* controller = window.controller();
    QVERIFY(QTest::qWaitFor(
        [&] {
          return controller->host()->state() == app::PoolState::Ready && controller->host()->workers().size() == 2;
        },
        60000));
    QTest::mouseClick(window.findChild<QPushButton*>("generateButton"), Qt::LeftButton);
    QCOMPARE(controller->queue()->rowCount(), 1);
    // Mid-run: a stitched preview from both ranks is on screen.
    QVERIFY(QTest::qWaitFor([&] { return controller->progress().step >= 3; }, 60000));
    auto* preview = window.findChild<ui::PreviewView*>("preview");
    QVERIFY(!preview->isFinal());
    QCOMPARE(preview->tiles().size(), 2);
    testing::save_screenshot(&window, "spstudio-window-running.png");

    QVERIFY(QTest::qWaitFor([&] { return controller->gallery()->rowCount() == 1 && !controller->busy(); }, 120000));
    QCOMPARE(controller->queue()->at(0).state, ui::QueueState::Done);
    const ui::GalleryItem& item = controller->gallery()->at(0);
    QCOMPARE(item.image.size(), QSize(256, 256));
    QCOMPARE(item.devices.size(), 2);
    QVERIFY(preview->isFinal());

    // The same seed on one rank: equal up to float reassociation (SP_SEMANTICS.md §6).
    controller->compareWithReference(0);
    QVERIFY(QTest::qWaitFor(
        [&] {
          return controller->gallery()->at(0).diff.has_value() || !controller->gallery()->at(0).diff_error.isEmpty();
        },
        120000));
    QVERIFY2(controller->gallery()->at(0).diff_error.isEmpty(), qPrintable(controller->gallery()->at(0).diff_error));
    const ui::ReferenceDiff diff = *controller->gallery()->at(0).diff;
    qInfo("against one rank: %s", qPrintable(ui::describe_diff(diff)));
    QVERIFY(diff.image.max_abs <= 2);
    QVERIFY(diff.image.psnr_db > 40);

    const QString png = dir_.filePath("out.png");
    QVERIFY(window.saveImage(0, png));
    const png::RgbPng file = png::read_png(png.toStdString());
    const auto meta = png::parse_spstudio_metadata_json(*file.text(png::kSpstudioKeyword));
    QCOMPARE(meta.seed, quint64(3));
    QCOMPARE(meta.ulysses_degree, 2);
    QCOMPARE(meta.devices.size(), std::size_t(2));
    QVERIFY(!meta.plan_json.empty());

    window.findChild<QWidget*>("gallery")->setFocus();
    testing::save_screenshot(&window, "spstudio-window.png");

    // A worker killed mid-run: the failure is named, the gallery stays, restart brings them back.
    p.steps = 200;
    window.setParams(p);
    QVERIFY(window.generate());
    QVERIFY(QTest::qWaitFor([&] { return controller->progress().step >= 1 && controller->busy(); }, 60000));
    const qint64 victim = controller->host()->workers().at(1).pid;
    QVERIFY(victim > 0);
    ::kill(static_cast<pid_t>(victim), SIGKILL);
    QVERIFY(QTest::qWaitFor([&] { return !controller->failureText().isEmpty(); }, 20000));
    const QString text = window.findChild<QLabel*>("failureText")->text();
    QVERIFY2(text.contains("rank 1") && text.contains("SIGKILL"), qPrintable(text));
    QCOMPARE(controller->gallery()->rowCount(), 1);
    QVERIFY(QTest::qWaitFor([&] { return controller->queue()->at(1).state == ui::QueueState::Failed; }, 5000));
    QVERIFY2(controller->queue()->at(1).error.contains("rank 1"), qPrintable(controller->queue()->at(1).error));
    testing::save_screenshot(&window, "spstudio-window-failure.png");
    window.findChild<QPushButton*>("bannerRestart")->click();
    QVERIFY(QTest::qWaitFor([&] { return controller->host()->state() == app::PoolState::Ready; }, 60000));
    QVERIFY(controller->failureText().isEmpty());
  }
};

QTEST_MAIN(WindowRealWorkersTest)
#include "test_window_real_workers.moc"
