// SPDX-License-Identifier: Apache-2.0
// PreviewView rendered offscreen: where the image lands (aspect fit, centred), that the drawn
// pixels are the image's, that outlines are in the rank's colour and go away when switched off,
// the final image with the preview's tiles, the placeholder; and the rank palette.
#include <QtTest>

#include "ui/preview/preview_view.h"
#include "ui/rank_colors.h"

using spstudio::ui::PreviewView;
using spstudio::ui::rank_color;
using spstudio::ui::RankTile;

namespace {

// An 8×4 preview (a 4×2 token grid) with a different colour in every pixel.
constexpr int kPreviewW = 8, kPreviewH = 4;

QColor preview_color(int x, int y) {
  return QColor(10 + 30 * x, 20 + 60 * y, 5 + 15 * (x + y));
}

QImage preview_image() {
  QImage image(kPreviewW, kPreviewH, QImage::Format_RGB888);
  for (int y = 0; y < kPreviewH; ++y)
    for (int x = 0; x < kPreviewW; ++x)
      image.setPixelColor(x, y, preview_color(x, y));
  return image;
}

/// The preview blown up `scale` times (what the VAE gives at full resolution, in this test).
QImage final_image(int scale) {
  return preview_image().scaled(kPreviewW * scale, kPreviewH * scale, Qt::IgnoreAspectRatio, Qt::FastTransformation);
}

RankTile rank_tile(int rank, QRect rect, int covered_begin, int covered_end) {
  RankTile t;
  t.rank = rank;
  t.rect = rect;
  t.covered_x_begin = covered_begin;
  t.covered_x_end = covered_end;
  return t;
}

/// Two ranks over the 4×2 tokens: rank 0 has tokens [0, 3) (one row, x 0..6), rank 1 [3, 8).
QVector<RankTile> two_ranks() {
  return {rank_tile(0, QRect(0, 0, 6, 2), 0, 6), rank_tile(1, QRect(0, 0, 8, 4), 6, 8)};
}

/// Smooth scaling interpolates in fixed point: a block's centre comes within a few levels of its
/// pixel, while neighbouring pixels differ by 15 or more in every channel.
bool close(const QColor& a, const QColor& b, int tolerance = 3) {
  return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance &&
         std::abs(a.blue() - b.blue()) <= tolerance;
}

QString text(const QColor& c) {
  return c.name();
}

}  // namespace

class TestPreviewView : public QObject {
  Q_OBJECT

 private slots:
  void rankColorsAreOkabeIto() {
    const char* expected[] = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#999999"};
    for (int rank = 0; rank < 8; ++rank) {
      QCOMPARE(rank_color(rank).name(), QString(expected[rank]));
      QCOMPARE(rank_color(rank + 8), rank_color(rank));
      QCOMPARE(rank_color(rank + 16), rank_color(rank));
    }
  }

  void imageRectFitsAndCentres() {
    PreviewView view;
    QCOMPARE(view.imageRect(), QRectF());  // nothing shown
    view.setPreview(preview_image(), two_ranks());
    // Wider than the 2:1 image: height-limited, centred horizontally. 1000×100 → scale 25 → 200×100.
    view.resize(1000, 100);
    QCOMPARE(view.imageRect(), QRectF(400, 0, 200, 100));
    QCOMPARE(view.tileScale(), 25.0);
    // Taller: width-limited, centred vertically. 200×500 → scale 25 → 200×100 at y = 200.
    view.resize(200, 500);
    QCOMPARE(view.imageRect(), QRectF(0, 200, 200, 100));
    // 408×300 → min(51, 75) = 51 → 408×204 at y = 48.
    view.resize(408, 300);
    QCOMPARE(view.imageRect(), QRectF(0, 48, 408, 204));
    QCOMPARE(view.tileScale(), 51.0);
  }

  void drawsTheImageScaled() {
    PreviewView view;
    view.setShowRankOutlines(false);
    view.resize(408, 300);  // image at (0, 48), 51 widget pixels per preview pixel
    view.setPreview(preview_image(), two_ranks());
    QVERIFY(!view.isFinal());
    const QImage shot = view.grab().toImage();
    QCOMPARE(shot.size(), QSize(408, 300));
    for (int y = 0; y < kPreviewH; ++y)
      for (int x = 0; x < kPreviewW; ++x) {
        const QColor got = shot.pixelColor(51 * x + 25, 48 + 51 * y + 25);  // centre of the block
        QVERIFY2(close(got, preview_color(x, y)), qPrintable(QStringLiteral("block (%1, %2): %3 instead of %4")
                                                                 .arg(x)
                                                                 .arg(y)
                                                                 .arg(text(got), text(preview_color(x, y)))));
      }
    // Above and below the image: background, not image.
    QVERIFY(!close(shot.pixelColor(200, 10), preview_color(3, 0), 20));
    QVERIFY(!close(shot.pixelColor(200, 290), preview_color(3, 3), 20));
  }

  void outlinesInRankColours() {
    PreviewView view;
    view.resize(408, 300);
    view.setPreview(preview_image(), two_ranks());
    QVERIFY(view.showRankOutlines());
    // Rank 0's left edge (x = 0) beside preview row 1, which rank 1's outline does not reach;
    // rank 1's bottom edge (image y 204 → widget 252; the 2 px pen covers rows 251 and 252).
    const QPoint rank0_edge(0, 48 + 51 + 25), rank1_edge(51 + 25, 251);
    QImage shot = view.grab().toImage();
    QCOMPARE(text(shot.pixelColor(rank0_edge)), text(rank_color(0)));
    QCOMPARE(text(shot.pixelColor(rank1_edge)), text(rank_color(1)));
    // Rank 0's right end (x = 6 → 306): the 2 px pen covers columns 305 and 306; rank 1's
    // staircase runs along it too and is drawn last.
    QCOMPARE(text(shot.pixelColor(305, 48 + 25)), text(rank_color(1)));
    // Inside a block away from the lines: still the image.
    QVERIFY(close(shot.pixelColor(51 * 2 + 25, 48 + 51 * 3 + 25), preview_color(2, 3)));

    view.setShowRankOutlines(false);
    QVERIFY(!view.showRankOutlines());
    shot = view.grab().toImage();
    QVERIFY2(close(shot.pixelColor(rank0_edge), preview_color(0, 1)), qPrintable(text(shot.pixelColor(rank0_edge))));
    QVERIFY2(close(shot.pixelColor(rank1_edge), preview_color(1, 3)), qPrintable(text(shot.pixelColor(rank1_edge))));
  }

  void finalImageKeepsTheTilesScaled() {
    PreviewView view;
    view.resize(408, 300);
    view.setPreview(preview_image(), two_ranks());
    view.setFinalImage(final_image(8));  // 64×32: 6.375 widget pixels per image pixel
    QVERIFY(view.isFinal());
    QCOMPARE(view.image().size(), QSize(64, 32));
    QCOMPARE(view.tiles().size(), 2);
    QCOMPARE(view.imageRect(), QRectF(0, 48, 408, 204));
    QCOMPARE(view.tileScale(), 51.0);  // still per preview pixel: 408 / 8
    const QImage shot = view.grab().toImage();
    QCOMPARE(text(shot.pixelColor(0, 48 + 51 + 25)), text(rank_color(0)));
    QCOMPARE(text(shot.pixelColor(51 + 25, 251)), text(rank_color(1)));
    QVERIFY(close(shot.pixelColor(51 * 5 + 25, 48 + 51 * 2 + 25), preview_color(5, 2)));
  }

  void finalImageWithoutPreviewHasNoOutlines() {
    PreviewView view;
    view.resize(408, 300);
    view.setFinalImage(final_image(8));
    QCOMPARE(view.tileScale(), 0.0);
    const QImage shot = view.grab().toImage();
    QVERIFY(close(shot.pixelColor(0, 48 + 51 + 25), preview_color(0, 1)));
  }

  void placeholderWhenEmpty() {
    PreviewView view;
    view.resize(300, 200);
    view.setPreview(preview_image(), two_ranks());
    view.clear();
    QVERIFY(view.image().isNull());
    QVERIFY(view.tiles().isEmpty());
    QVERIFY(!view.isFinal());
    QCOMPARE(view.imageRect(), QRectF());

    view.setPlaceholderText(QString());
    const QImage blank = view.grab().toImage();
    const QColor background = blank.pixelColor(0, 0);
    for (int y = 0; y < blank.height(); y += 7)
      for (int x = 0; x < blank.width(); x += 7)
        QCOMPARE(blank.pixelColor(x, y), background);

    view.setPlaceholderText(QStringLiteral("Nothing generated yet"));
    const QImage with_text = view.grab().toImage();
    int text_pixels = 0;
    for (int y = 0; y < with_text.height(); ++y)
      for (int x = 0; x < with_text.width(); ++x)
        text_pixels += with_text.pixelColor(x, y) != background;
    QVERIFY2(text_pixels > 50, qPrintable(QString::number(text_pixels)));
  }
};

QTEST_MAIN(TestPreviewView)
#include "test_preview_view.moc"
