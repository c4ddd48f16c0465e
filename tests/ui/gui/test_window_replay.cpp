// SPDX-License-Identifier: Apache-2.0
// The window driven by a recorded stream of real workers (ReplayPool): the live preview, progress,
// queue and gallery follow the stream; cancels keep finished images; a stream that breaks off
// mid-job (a worker dying there) shows the failure, keeps the gallery, and a restart carries on.
// Expectations come from the recording itself (read with the wire reader), not from the window.
#include <QCheckBox>
#include <QFrame>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <set>

#include "app/gui/main_window.h"
#include "common/wire/recording.h"
#include "ui/preview/preview_view.h"
#include "window_test_support.h"

using namespace spstudio;
using namespace spstudio::gui;

namespace {

constexpr int kWorld = 2, kImages = 2, kSteps = 3, kSize = 128;

bool same_pixels(const QImage& image, const wire::RgbImage& expected) {
  if (image.width() != int(expected.width) || image.height() != int(expected.height)) return false;
  const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
  for (int y = 0; y < rgb.height(); ++y)
    if (std::memcmp(rgb.constScanLine(y), expected.rgb.data() + std::size_t(y) * expected.width * 3,
                    std::size_t(expected.width) * 3) != 0)
      return false;
  return true;
}

}  // namespace

class WindowReplayTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString recording_;
  wire::Job recorded_job_;

  std::unique_ptr<MainWindow> open_window(const QString& recording, double speed = 0) {
    MainWindowOptions options;
    options.replay_path = recording;
    options.replay_speed = speed;
    options.restore_settings = false;
    auto window = std::make_unique<MainWindow>(options);
    window->resize(1200, 800);
    window->show();
    window->activateWindow();
    if (!QTest::qWaitForWindowActive(window.get())) qWarning("the window did not become active (shortcuts need it)");
    const bool ready =
        QTest::qWaitFor([&] { return window->controller()->host()->state() == app::PoolState::Ready; }, 10000);
    if (!ready) qWarning("the replay pool did not become ready");
    return window;
  }

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(dir_.isValid());
    recording_ = dir_.filePath("tiny-u2.sprec");
    recorded_job_ = testing::record_stream(recording_, kWorld, kImages, kSteps, kSize);
    QCOMPARE(testing::recorded_images(recording_).size(), std::size_t(kImages));
  }

  void replayDrivesPreviewProgressQueueAndGallery() {
    auto window = open_window(recording_);
    GenerationController* controller = window->controller();
    QCOMPARE(controller->host()->workers().size(), kWorld);

    QSignalSpy previews(controller, &GenerationController::previewChanged);
    QSignalSpy progress(controller, &GenerationController::progressChanged);
    QVERIFY(window->generate());
    QCOMPARE(controller->queue()->rowCount(), 1);
    QVERIFY(
        QTest::qWaitFor([&] { return controller->gallery()->rowCount() == kImages && !controller->busy(); }, 20000));

    // Every rank's tile of every step reached the preview, then each finished image.
    int tiles = 0, finals = 0;
    std::set<int> ranks_seen;
    for (const auto& args : previews) {
      if (args.at(2).toBool()) {
        ++finals;
        continue;
      }
      ++tiles;
      for (const ui::RankTile& t : args.at(1).value<QVector<ui::RankTile>>())
        ranks_seen.insert(t.rank);
    }
    QCOMPARE(tiles, kWorld * kSteps * kImages);
    QCOMPARE(finals, kImages);
    QCOMPARE(ranks_seen, (std::set<int>{0, 1}));

    // Progress walked through every step of both images, and ended idle.
    std::vector<std::pair<int, int>> seen;  // (image, step)
    for (const auto& args : progress) {
      const auto p = args.at(0).value<Progress>();
      if (p.running && p.step > 0) seen.emplace_back(p.image_index, p.step);
    }
    std::vector<std::pair<int, int>> expected;
    for (int image = 0; image < kImages; ++image)
      for (int step = 1; step <= kSteps; ++step)
        expected.emplace_back(image, step);
    QCOMPARE(seen, expected);
    QCOMPARE(window->findChild<QLabel*>("progressText")->text(), QString("idle"));

    // The gallery holds the recorded images, bit for bit, with their seeds (seed + i).
    const auto images = testing::recorded_images(recording_);
    for (int i = 0; i < kImages; ++i) {
      const ui::GalleryItem& item = controller->gallery()->at(i);
      QVERIFY(same_pixels(item.image, images[i].image));
      QCOMPARE(item.params.seed, images[i].seed);
      QCOMPARE(item.image_index, i);
      QVERIFY2(!item.plan_json.isEmpty(), "the applied plan comes from the image summary");
    }
    // The preview shows the last finished image at full resolution, outlines of both ranks kept.
    auto* preview = window->findChild<ui::PreviewView*>("preview");
    QVERIFY(preview->isFinal());
    QVERIFY(same_pixels(preview->image(), images.back().image));
    QCOMPARE(preview->tiles().size(), kWorld);
    QCOMPARE(controller->queue()->at(0).state, ui::QueueState::Done);
    QCOMPARE(controller->queue()->at(0).images_done, kImages);
  }

  void cancelAfterImageKeepsTheFinishedImage() {
    auto window = open_window(recording_, /*speed=*/0.1);  // slow: the cancel lands before image 2 starts
    GenerationController* controller = window->controller();
    // As soon as the first image is in, ask to finish the image in progress and skip the rest: the
    // item's second image and the queued item are dropped, the first image stays.
    connect(controller->gallery(), &ui::GalleryModel::itemAdded, controller,
            [controller] { controller->cancel(wire::CancelMode::AfterImage); });
    QVERIFY(window->generate());
    QVERIFY(window->generate());  // a second item, queued behind
    QCOMPARE(controller->queue()->rowCount(), 2);
    QVERIFY(QTest::qWaitFor([&] { return controller->gallery()->rowCount() >= 1; }, 20000));
    QVERIFY(QTest::qWaitFor([&] { return !controller->busy(); }, 20000));
    QCOMPARE(controller->gallery()->rowCount(), 1);
    QCOMPARE(controller->queue()->at(0).state, ui::QueueState::Cancelled);
    QCOMPARE(controller->queue()->at(1).state, ui::QueueState::Cancelled);
    QCOMPARE(controller->queue()->at(1).error, QString("cancelled before it started"));
  }

  void cancelNowStopsAtTheNextStep() {
    auto window = open_window(recording_, /*speed=*/0.5);  // slow enough to cancel mid-image
    GenerationController* controller = window->controller();
    QVERIFY(window->generate());
    QVERIFY(QTest::qWaitFor([&] { return controller->progress().step >= 1; }, 20000));
    QTest::keyClick(window.get(), Qt::Key_Escape);  // the Cancel now shortcut
    QVERIFY(QTest::qWaitFor([&] { return !controller->busy(); }, 20000));
    QCOMPARE(controller->queue()->at(0).state, ui::QueueState::Cancelled);
    QCOMPARE(controller->gallery()->rowCount(), 0);
  }

  void shortcutQueuesWithTheSeedModeApplied() {
    auto window = open_window(recording_);
    ui::GenerationParams p = window->params();
    p.seed = 100;
    p.seed_mode = ui::SeedMode::Increment;
    p.images = 2;
    window->setParams(p);
    QTest::keyClick(window.get(), Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(window->controller()->queue()->rowCount(), 1);
    QCOMPARE(window->controller()->queue()->at(0).params.seed, quint64(100));
    QCOMPARE(window->params().seed, quint64(102));  // the box moved on by the item's images
  }

  void streamBrokenMidJobShowsTheFailureAndKeepsTheGallery() {
    // Cut the recording a few messages after the first image: a worker that died in image 2.
    const QString cut = dir_.filePath("cut.sprec");
    testing::write_truncated(
        recording_, cut,
        [](const wire::Message& m) {
          const auto* image = std::get_if<wire::ImageDone>(&m);
          return image && image->rank == 0;
        },
        3);
    auto window = open_window(cut);
    GenerationController* controller = window->controller();
    QVERIFY(window->generate());
    QVERIFY(QTest::qWaitFor([&] { return controller->host()->state() == app::PoolState::Failed; }, 20000));
    QVERIFY(QTest::qWaitFor([&] { return !controller->busy(); }, 5000));

    auto* banner = window->findChild<QFrame*>("failureBanner");
    QVERIFY(banner->isVisible());
    const QString text = window->findChild<QLabel*>("failureText")->text();
    QVERIFY2(text.contains("cut.sprec"), qPrintable(text));
    QVERIFY2(text.contains("restart"), qPrintable(text));
    QCOMPARE(controller->gallery()->rowCount(), 1);  // the image finished before the break is kept
    QCOMPARE(controller->queue()->at(0).state, ui::QueueState::Failed);

    // Queue another item while failed: it waits; restarting runs it (the playback starts over).
    QVERIFY(window->generate());
    QCOMPARE(controller->queue()->at(1).state, ui::QueueState::Queued);
    window->findChild<QPushButton*>("bannerRestart")->click();
    QVERIFY(QTest::qWaitFor([&] { return controller->queue()->at(1).state != ui::QueueState::Queued; }, 10000));
    QVERIFY(QTest::qWaitFor([&] { return controller->gallery()->rowCount() == 2; }, 20000));
    QCOMPARE(controller->gallery()->rowCount(), 2);
  }

  void aMissingRecordingIsNamed() {
    MainWindowOptions options;
    options.replay_path = dir_.filePath("nope.sprec");
    options.restore_settings = false;
    MainWindow window(options);
    window.show();
    QVERIFY(QTest::qWaitFor([&] { return window.controller()->host()->state() == app::PoolState::Failed; }, 10000));
    const QString text = window.findChild<QLabel*>("failureText")->text();
    QVERIFY2(text.contains("nope.sprec"), qPrintable(text));
  }
};

QTEST_MAIN(WindowReplayTest)
#include "test_window_replay.moc"
