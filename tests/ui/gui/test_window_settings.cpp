// SPDX-License-Identifier: Apache-2.0
// The window remembers its parameters, recent folders, outline toggle and layout between runs, and
// a gallery image saved as PNG carries its parameters back ("Recall from PNG").
#include <QCheckBox>
#include <QDockWidget>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/main_window.h"
#include "app/gui/png_export.h"
#include "app/png/png_file.h"
#include "app/png/png_metadata.h"

using namespace spstudio;
using namespace spstudio::gui;

class WindowSettingsTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

  MainWindowOptions options(bool restore) const {
    MainWindowOptions o;
    o.replay_path = dir_.filePath("no-such-recording.sprec");  // no workers needed here
    o.restore_settings = restore;
    return o;
  }

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("SP Studio tests");
    QCoreApplication::setApplicationName("spstudio-settings-test");
    QSettings().clear();
  }

  void parametersAndLayoutPersist() {
    ui::GenerationParams p;
    p.prompt = "a watercolour fox";
    p.negative_prompt = "blurry";
    p.width = 320;
    p.height = 192;
    p.steps = 12;
    p.guidance = 4.5;
    p.seed = 1234567890123ULL;
    p.seed_mode = ui::SeedMode::Increment;
    p.images = 3;
    p.preview_interval = 2;
    QSize size;
    {
      MainWindow window(options(false));
      window.resize(780, 560);  // within the offscreen screen (800×600): restoreGeometry clamps
      window.show();
      QVERIFY(QTest::qWaitForWindowExposed(&window));
      window.setParams(p);
      window.findChild<QCheckBox*>("outlines")->setChecked(false);
      window.findChild<QDockWidget*>("queueDock")->hide();
      size = window.size();  // what the docks' minimum sizes allowed
      window.close();
    }
    MainWindow again(options(true));
    const ui::GenerationParams restored = again.params();
    QCOMPARE(restored.prompt, p.prompt);
    QCOMPARE(restored.negative_prompt, p.negative_prompt);
    QCOMPARE(restored.width, p.width);
    QCOMPARE(restored.height, p.height);
    QCOMPARE(restored.steps, p.steps);
    QCOMPARE(restored.guidance, p.guidance);
    QCOMPARE(restored.seed, p.seed);
    QCOMPARE(restored.seed_mode, p.seed_mode);
    QCOMPARE(restored.images, p.images);
    QCOMPARE(restored.preview_interval, p.preview_interval);
    QVERIFY(!again.findChild<QCheckBox*>("outlines")->isChecked());
    QVERIFY(again.findChild<QDockWidget*>("queueDock")->isHidden());
    QCOMPARE(again.size(), size);
  }

  void savedPngRecallsItsParameters() {
    ui::GalleryItem item;
    item.params.prompt = "ünïcödé prompt";
    item.params.seed = 99;
    item.params.steps = 5;
    item.params.width = 64;
    item.params.height = 48;
    item.params.ulysses_degree = 2;
    item.params.ring_degree = 2;
    item.image = QImage(64, 48, QImage::Format_RGB888);
    item.image.fill(QColor(10, 20, 30));
    item.devices = {"cpu", "cpu", "cpu", "cpu"};
    item.step_ms = {10, 11, 12, 13, 14};
    const QString path = dir_.filePath(default_file_name(item));
    QCOMPARE(QFileInfo(path).fileName(), QString("seed-99-U2xR2.png"));
    save_gallery_png(item, path);

    const png::RgbPng file = png::read_png(path.toStdString());
    QCOMPARE(file.width, 64u);
    QCOMPARE(file.rgb[0], std::uint8_t(10));
    const auto parameters = file.text(png::kParametersKeyword);
    QVERIFY(parameters.has_value());
    QVERIFY(parameters->find("Seed: 99") != std::string::npos);

    const ui::GenerationParams p = params_from_png(path);
    QCOMPARE(p.prompt, item.params.prompt);
    QCOMPARE(p.seed, item.params.seed);
    QCOMPARE(p.steps, 5);
    QCOMPARE(p.width, 64);
    QCOMPARE(p.height, 48);
    QCOMPARE(p.ulysses_degree, 2);
    QCOMPARE(p.ring_degree, 2);

    // A PNG from elsewhere is refused with its name.
    QImage plain(4, 4, QImage::Format_RGB888);
    plain.fill(Qt::white);
    const QString other = dir_.filePath("plain.png");
    QVERIFY(plain.save(other));
    try {
      params_from_png(other);
      QFAIL("a PNG without the spstudio chunk was accepted");
    } catch (const std::runtime_error& e) {
      QVERIFY2(QString(e.what()).contains("plain.png"), e.what());
    }
  }
};

QTEST_MAIN(WindowSettingsTest)
#include "test_window_settings.moc"
