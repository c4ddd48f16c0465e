// SPDX-License-Identifier: Apache-2.0
// Progress and ETA arithmetic (GUI-free), worked out by hand.
#include <QTest>

#include "app/gui/progress.h"

using spstudio::gui::format_duration;
using spstudio::gui::Progress;

class ProgressTest : public QObject {
  Q_OBJECT
 private slots:
  void fractionCoversEveryImageOfTheJob() {
    Progress p;
    p.running = true;
    p.steps = 8;
    p.images = 2;
    p.step = 4;
    p.image_index = 1;                    // second image, half done
    QCOMPARE(p.fraction(), 12.0 / 16.0);  // (1·8 + 4) / (2·8)
    p.steps = 0;
    QCOMPARE(p.fraction(), 0.0);
  }

  void etaFromTheMeanStepTime() {
    Progress p;
    p.running = true;
    p.steps = 10;
    p.images = 3;
    p.step = 4;
    p.image_index = 1;
    p.mean_step_ms = 250;
    // 6 steps left of this image + 1 more image of 10 steps = 16 steps · 0.25 s
    QCOMPARE(p.eta_seconds(), 4.0);
    p.queued_steps = 20;
    QCOMPARE(p.queue_eta_seconds(), 9.0);
    p.mean_step_ms = 0;
    QVERIFY(p.eta_seconds() < 0);
    QVERIFY(p.queue_eta_seconds() < 0);
  }

  void text() {
    Progress p;
    p.running = true;
    p.steps = 8;
    p.step = 3;
    QCOMPARE(p.text(), QString("step 3/8 · ETA —"));
    p.mean_step_ms = 420;
    QCOMPARE(p.text(), QString("step 3/8 · ETA 2.1 s"));  // 5 · 0.42
    p.images = 4;
    p.image_index = 1;
    QCOMPARE(p.text(), QString("step 3/8 · image 2/4 · ETA 8.8 s"));  // (5 + 2·8) · 0.42 = 8.82
  }

  void durations() {
    QCOMPARE(format_duration(0.44), QString("0.4 s"));
    QCOMPARE(format_duration(9.96), QString("10 s"));  // not "10.0 s": one decimal only below 10
    QCOMPARE(format_duration(12.4), QString("12 s"));
    QCOMPARE(format_duration(185), QString("3 min 05 s"));
    QCOMPARE(format_duration(-1), QString("—"));
  }
};

QTEST_APPLESS_MAIN(ProgressTest)
#include "test_progress.moc"
