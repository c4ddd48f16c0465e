// SPDX-License-Identifier: Apache-2.0
// PreviewCanvas: stitching the ranks' shards of a random latent must give exactly the whole-latent
// preview (core/common preview_rgb, an independent path); bad tiles are rejected with their numbers
// and leave the canvas alone; covered_outline corners worked out by hand.
#include <QtTest>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <stdexcept>
#include <utility>
#include <vector>

#include "common/latent_preview.h"
#include "ui/preview/preview_canvas.h"

using spstudio::ui::covered_outline;
using spstudio::ui::PreviewCanvas;
using spstudio::ui::RankTile;
namespace wire = spstudio::wire;

Q_DECLARE_METATYPE(spstudio::wire::StepPreview)

namespace {

constexpr int kChannels = 16, kGridW = 6, kGridH = 5;  // 30 tokens; preview 12×10
constexpr int kWidth = 2 * kGridW, kHeight = 2 * kGridH;
const QColor kEmpty(0x20, 0x20, 0x20);

/// [C, H, W] latents at preview resolution, random from a fixed seed.
std::vector<float> random_latents(unsigned seed) {
  std::vector<float> values(static_cast<std::size_t>(kChannels) * kHeight * kWidth);
  std::mt19937 gen(seed);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  for (float& v : values)
    v = normal(gen);
  return values;
}

/// Flux packing written out: token (y/2)·grid_w + x/2, feature c·4 + (y%2)·2 + x%2.
std::vector<float> pack(const std::vector<float>& chw) {
  const int features = 4 * kChannels;
  std::vector<float> tokens(static_cast<std::size_t>(kGridW) * kGridH * features);
  for (int c = 0; c < kChannels; ++c)
    for (int y = 0; y < kHeight; ++y)
      for (int x = 0; x < kWidth; ++x)
        tokens[static_cast<std::size_t>((y / 2) * kGridW + x / 2) * features + c * 4 + (y % 2) * 2 + x % 2] =
            chw[(static_cast<std::size_t>(c) * kHeight + y) * kWidth + x];
  return tokens;
}

/// What a worker sends for its shard [begin, end) of the tokens (as make_step_preview fills it).
wire::StepPreview shard_preview(const std::vector<float>& tokens, int rank, int begin, int end, int step = 3) {
  const spstudio::PreviewTile tile = spstudio::preview_rgb_from_packed_tokens(
      spstudio::flux_preview_table(), tokens.data() + static_cast<std::size_t>(begin) * 4 * kChannels, begin,
      end - begin, kGridW);
  wire::StepPreview p;
  p.job_id = 7;
  p.image_index = 0;
  p.rank = static_cast<std::uint32_t>(rank);
  p.step = static_cast<std::uint32_t>(step);
  p.steps = 4;
  p.x = static_cast<std::uint32_t>(tile.x);
  p.y = static_cast<std::uint32_t>(tile.y);
  p.full_width = kWidth;
  p.full_height = kHeight;
  p.covered_x_begin = static_cast<std::uint32_t>(tile.covered_x_begin);
  p.covered_x_end = static_cast<std::uint32_t>(tile.covered_x_end);
  p.pixel_scale = 8;
  p.tile.width = static_cast<std::uint32_t>(tile.width);
  p.tile.height = static_cast<std::uint32_t>(tile.height);
  p.tile.rgb = tile.rgb;
  return p;
}

/// The canvas's pixels as tightly packed RGB8 (QImage pads rows to 4 bytes).
std::vector<std::uint8_t> bytes_of(const QImage& image) {
  std::vector<std::uint8_t> out;
  for (int y = 0; y < image.height(); ++y)
    out.insert(out.end(), image.constScanLine(y), image.constScanLine(y) + image.width() * 3);
  return out;
}

/// A plain valid preview: a tile of one colour.
wire::StepPreview solid(int rank, int x, int y, int w, int h, int covered_begin, int covered_end,
                        std::uint8_t value = 200) {
  wire::StepPreview p;
  p.job_id = 1;
  p.rank = static_cast<std::uint32_t>(rank);
  p.step = 1;
  p.steps = 4;
  p.x = static_cast<std::uint32_t>(x);
  p.y = static_cast<std::uint32_t>(y);
  p.full_width = kWidth;
  p.full_height = kHeight;
  p.covered_x_begin = static_cast<std::uint32_t>(covered_begin);
  p.covered_x_end = static_cast<std::uint32_t>(covered_end);
  p.tile = {static_cast<std::uint32_t>(w), static_cast<std::uint32_t>(h),
            std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h * 3, value)};
  return p;
}

QString error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return QString::fromUtf8(e.what());
  }
  return QStringLiteral("(no error)");
}

RankTile rank_tile(int rank, QRect rect, int covered_begin, int covered_end) {
  RankTile t;
  t.rank = rank;
  t.rect = rect;
  t.covered_x_begin = covered_begin;
  t.covered_x_end = covered_end;
  return t;
}

QPolygonF polygon(std::initializer_list<QPointF> points) {
  return QPolygonF(QVector<QPointF>(points));
}

/// Shoelace area: for a staircase it is the number of pixels inside.
double area(const QPolygonF& p) {
  double twice = 0;
  for (int i = 0; i < p.size(); ++i) {
    const QPointF a = p[i], b = p[(i + 1) % p.size()];
    twice += a.x() * b.y() - b.x() * a.y();
  }
  return std::abs(twice) / 2;
}

}  // namespace

class TestPreviewCanvas : public QObject {
  Q_OBJECT

 private slots:
  void stitchedShardsEqualWholePreview_data() {
    QTest::addColumn<QVector<int>>("bounds");  // shard i is tokens [bounds[i], bounds[i+1])
    QTest::newRow("1 rank") << QVector<int>{0, 30};
    QTest::newRow("2 ranks, mid-row split") << QVector<int>{0, 15, 30};
    QTest::newRow("3 ranks") << QVector<int>{0, 10, 20, 30};
    QTest::newRow("4 ranks, uneven") << QVector<int>{0, 8, 16, 23, 30};
    QTest::newRow("4 ranks, one-row shards") << QVector<int>{0, 2, 5, 17, 30};
    QTest::newRow("3 ranks, two partial rows") << QVector<int>{0, 5, 8, 30};
    QTest::newRow("4 ranks, starts mid-row") << QVector<int>{0, 1, 13, 14, 30};
  }
  void stitchedShardsEqualWholePreview() {
    QFETCH(QVector<int>, bounds);
    const std::vector<float> latents = random_latents(static_cast<unsigned>(bounds.size() * 31));
    const std::vector<float> tokens = pack(latents);
    const std::vector<std::uint8_t> expected =
        spstudio::preview_rgb(spstudio::flux_preview_table(), latents.data(), kHeight, kWidth);

    std::vector<wire::StepPreview> previews;
    for (int r = 0; r + 1 < bounds.size(); ++r)
      previews.push_back(shard_preview(tokens, r, bounds[r], bounds[r + 1]));
    std::mt19937 gen(static_cast<unsigned>(bounds.size()));
    for (int order = 0; order < 5; ++order) {
      std::shuffle(previews.begin(), previews.end(), gen);
      PreviewCanvas canvas;
      for (const wire::StepPreview& p : previews)
        canvas.add(p);
      QCOMPARE(canvas.image().format(), QImage::Format_RGB888);
      QCOMPARE(canvas.image().size(), QSize(kWidth, kHeight));
      QVERIFY(bytes_of(canvas.image()) == expected);
      QCOMPARE(canvas.tiles().size(), bounds.size() - 1);
      QCOMPARE(canvas.pixel_scale(), 8);
      QCOMPARE(canvas.step(), 3);
      QCOMPARE(canvas.steps(), 4);
      QCOMPARE(canvas.job_id(), quint64(7));
      QCOMPARE(canvas.image_index(), 0);
    }

    // Each outline encloses exactly its rank's pixels: 4 per token (pieces of a shard that do not
    // touch are joined by a zero-area edge, so the area still adds up).
    PreviewCanvas canvas;
    for (const wire::StepPreview& p : previews)
      canvas.add(p);
    for (const RankTile& t : canvas.tiles())
      QCOMPARE(area(covered_outline(t)), 4.0 * (bounds[t.rank + 1] - bounds[t.rank]));
  }

  void paintsOnlyCoveredPixels() {
    // Rank 1 of a 2-rank split at token 15 (row 2, column 3): rows 4..9, first row from x = 6.
    const std::vector<float> latents = random_latents(5);
    const std::vector<float> tokens = pack(latents);
    const std::vector<std::uint8_t> expected =
        spstudio::preview_rgb(spstudio::flux_preview_table(), latents.data(), kHeight, kWidth);
    PreviewCanvas canvas;
    QVERIFY(canvas.empty());
    canvas.add(shard_preview(tokens, 1, 15, 30));
    QVERIFY(!canvas.empty());
    const QImage& image = canvas.image();
    for (int y = 0; y < kHeight; ++y)
      for (int x = 0; x < kWidth; ++x) {
        const bool covered = y >= 6 || (y >= 4 && x >= 6);
        const QColor want = covered ? QColor(expected[(y * kWidth + x) * 3], expected[(y * kWidth + x) * 3 + 1],
                                             expected[(y * kWidth + x) * 3 + 2])
                                    : kEmpty;
        QVERIFY2(image.pixelColor(x, y) == want, qPrintable(QStringLiteral("pixel (%1, %2)").arg(x).arg(y)));
      }
  }

  void tilesAreLatestPerRankSortedByRank() {
    const std::vector<float> tokens = pack(random_latents(9));
    PreviewCanvas canvas;
    canvas.add(shard_preview(tokens, 3, 23, 30, 1));
    canvas.add(shard_preview(tokens, 1, 8, 16, 1));
    canvas.add(shard_preview(tokens, 0, 0, 8, 1));
    canvas.add(shard_preview(tokens, 2, 16, 23, 1));
    canvas.add(shard_preview(tokens, 1, 8, 16, 2));
    const QVector<RankTile> tiles = canvas.tiles();
    QCOMPARE(tiles.size(), 4);
    // Tokens [0, 8): rows 0–1, last token 7 at column 1 → x end 4.
    QCOMPARE(tiles[0].rank, 0);
    QCOMPARE(tiles[0].rect, QRect(0, 0, 12, 4));
    QCOMPARE(tiles[0].covered_x_begin, 0);
    QCOMPARE(tiles[0].covered_x_end, 4);
    QCOMPARE(tiles[0].step, 1);
    // [8, 16): token 8 at row 1 column 2, token 15 at row 2 column 3.
    QCOMPARE(tiles[1].rank, 1);
    QCOMPARE(tiles[1].rect, QRect(0, 2, 12, 4));
    QCOMPARE(tiles[1].covered_x_begin, 4);
    QCOMPARE(tiles[1].covered_x_end, 8);
    QCOMPARE(tiles[1].step, 2);  // the later one replaced step 1
    // [16, 23): row 2 column 4 to row 3 column 4.
    QCOMPARE(tiles[2].rank, 2);
    QCOMPARE(tiles[2].rect, QRect(0, 4, 12, 4));
    QCOMPARE(tiles[2].covered_x_begin, 8);
    QCOMPARE(tiles[2].covered_x_end, 10);
    // [23, 30): row 3 column 5 to row 4 column 5.
    QCOMPARE(tiles[3].rank, 3);
    QCOMPARE(tiles[3].rect, QRect(0, 6, 12, 4));
    QCOMPARE(tiles[3].covered_x_begin, 10);
    QCOMPARE(tiles[3].covered_x_end, 12);
    QCOMPARE(canvas.step(), 2);
  }

  void newJobImageOrSizeStartsFresh() {
    PreviewCanvas canvas;
    canvas.add(solid(0, 0, 0, 12, 10, 0, 12, 200));
    QCOMPARE(canvas.image().pixelColor(11, 9), QColor(200, 200, 200));

    // Same job and image: earlier pixels stay.
    canvas.add(solid(1, 0, 0, 4, 2, 0, 4, 100));
    QCOMPARE(canvas.image().pixelColor(0, 0), QColor(100, 100, 100));
    QCOMPARE(canvas.image().pixelColor(11, 9), QColor(200, 200, 200));
    QCOMPARE(canvas.tiles().size(), 2);

    wire::StepPreview other_job = solid(1, 0, 0, 4, 2, 0, 4, 100);
    other_job.job_id = 2;
    canvas.add(other_job);
    QCOMPARE(canvas.job_id(), quint64(2));
    QCOMPARE(canvas.image().pixelColor(11, 9), kEmpty);
    QCOMPARE(canvas.tiles().size(), 1);

    wire::StepPreview other_image = solid(0, 4, 2, 4, 2, 4, 8, 50);
    other_image.job_id = 2;
    other_image.image_index = 1;
    canvas.add(other_image);
    QCOMPARE(canvas.image_index(), 1);
    QCOMPARE(canvas.image().pixelColor(0, 0), kEmpty);
    QCOMPARE(canvas.image().pixelColor(4, 2), QColor(50, 50, 50));
    QCOMPARE(canvas.tiles().size(), 1);
    QCOMPARE(canvas.tiles()[0].rank, 0);

    wire::StepPreview other_size = solid(0, 0, 0, 2, 2, 0, 2, 90);
    other_size.job_id = 2;
    other_size.image_index = 1;
    other_size.full_width = 6;
    other_size.full_height = 4;
    canvas.add(other_size);
    QCOMPARE(canvas.image().size(), QSize(6, 4));
    QCOMPARE(canvas.image().pixelColor(5, 3), kEmpty);

    canvas.clear();
    QVERIFY(canvas.empty());
    QVERIFY(canvas.tiles().isEmpty());
  }

  void rejections_data() {
    QTest::addColumn<wire::StepPreview>("preview");
    QTest::addColumn<QStringList>("words");
    wire::StepPreview p = solid(3, 0, 8, 12, 4, 0, 12);
    QTest::newRow("below the bottom") << p << QStringList{"rank 3", "12×4", "(0, 8)", "12×10"};
    p = solid(3, 2, 0, 12, 2, 2, 14);
    QTest::newRow("right of the edge") << p << QStringList{"rank 3", "12×2", "(2, 0)", "12×10"};
    p = solid(2, 0, 2, 12, 4, 0, 12);
    p.tile.rgb.pop_back();
    QTest::newRow("byte count") << p << QStringList{"rank 2", "143 RGB bytes", "12×4", "expected 144"};
    p = solid(1, 4, 0, 4, 2, 2, 8);
    QTest::newRow("covered begin left of the tile") << p << QStringList{"rank 1", "begin 2", "[4, 8)"};
    p = solid(1, 0, 2, 12, 4, 12, 4);
    QTest::newRow("covered begin past the tile") << p << QStringList{"rank 1", "begin 12", "[0, 12)"};
    p = solid(1, 4, 0, 4, 2, 4, 9);
    QTest::newRow("covered end past the tile") << p << QStringList{"rank 1", "end 9", "[4, 8)"};
    p = solid(1, 0, 0, 12, 2, 6, 6);
    QTest::newRow("one row, nothing covered") << p << QStringList{"rank 1", "[6, 6)", "empty"};
    p = solid(5, 0, 0, 12, 2, 0, 12);
    p.step = 5;
    QTest::newRow("step past steps") << p << QStringList{"rank 5", "step 5 of 4"};
    p.step = 0;
    QTest::newRow("step 0") << p << QStringList{"rank 5", "step 0 of 4"};
    p = solid(0, 0, 0, 0, 0, 0, 0);
    QTest::newRow("empty tile") << p << QStringList{"rank 0", "empty tile 0×0"};
    p = solid(4, 0, 0, 2, 2, 0, 2);
    p.full_width = 0;
    QTest::newRow("no size") << p << QStringList{"rank 4", "preview size 0×10"};
    p = solid(4, 0, 0, 2, 2, 0, 2);
    p.pixel_scale = 0;
    QTest::newRow("pixel scale") << p << QStringList{"rank 4", "pixel scale 0"};
    p = solid(4, 0, 0, 2, 2, 0, 2);
    p.x = 0xFFFFFFFFu;  // x + width wraps in 32 bits
    QTest::newRow("wrapping x") << p << QStringList{"rank 4", "4294967295", "does not fit"};
  }
  void rejections() {
    QFETCH(wire::StepPreview, preview);
    QFETCH(QStringList, words);
    PreviewCanvas canvas;
    canvas.add(solid(0, 0, 0, 12, 10, 0, 12, 77));
    const QImage before = canvas.image().copy();
    const QString error = error_of([&] { canvas.add(preview); });
    for (const QString& word : words)
      QVERIFY2(error.contains(word), qPrintable(QStringLiteral("'%1' not in: %2").arg(word, error)));
    QVERIFY(canvas.image() == before);
    QCOMPARE(canvas.tiles().size(), 1);
    QCOMPARE(canvas.step(), 1);
  }

  void outlineOfWholeRows() {
    // Tokens [6, 24): rows 1–3 complete.
    QCOMPARE(covered_outline(rank_tile(0, QRect(0, 2, 12, 6), 0, 12)), polygon({{0, 2}, {12, 2}, {12, 8}, {0, 8}}));
    QCOMPARE(covered_outline(rank_tile(0, QRect(0, 2, 12, 6), 0, 12), 8.0),
             polygon({{0, 16}, {96, 16}, {96, 64}, {0, 64}}));
  }

  void outlineOfPartialRows() {
    // [0, 8): ends at column 1 of row 1 → 6 corners.
    QCOMPARE(covered_outline(rank_tile(0, QRect(0, 0, 12, 4), 0, 4)),
             polygon({{0, 0}, {12, 0}, {12, 2}, {4, 2}, {4, 4}, {0, 4}}));
    // [3, 12): starts at column 3 of row 0 → 6 corners.
    QCOMPARE(covered_outline(rank_tile(0, QRect(0, 0, 12, 4), 6, 12)),
             polygon({{6, 0}, {12, 0}, {12, 4}, {0, 4}, {0, 2}, {6, 2}}));
    // [8, 16): both ends partial → 8 corners; scaled by 8 (preview → image pixels).
    QCOMPARE(covered_outline(rank_tile(1, QRect(0, 2, 12, 4), 4, 8), 8.0),
             polygon({{32, 16}, {96, 16}, {96, 32}, {64, 32}, {64, 48}, {0, 48}, {0, 32}, {32, 32}}));
    // [15, 30): starts mid-row 2, then rows 3–4 whole.
    QCOMPARE(covered_outline(rank_tile(1, QRect(0, 4, 12, 6), 6, 12)),
             polygon({{6, 4}, {12, 4}, {12, 10}, {0, 10}, {0, 6}, {6, 6}}));
    // [2, 5): inside one row.
    QCOMPARE(covered_outline(rank_tile(1, QRect(4, 0, 6, 2), 4, 10)), polygon({{4, 0}, {10, 0}, {10, 2}, {4, 2}}));
    // [5, 8): the end of row 0 and the start of row 1 do not touch: joined along y = 2.
    QCOMPARE(covered_outline(rank_tile(1, QRect(0, 0, 12, 4), 10, 4)),
             polygon({{10, 0}, {12, 0}, {12, 2}, {4, 2}, {4, 4}, {0, 4}, {0, 2}, {10, 2}}));
  }
};

QTEST_MAIN(TestPreviewCanvas)
#include "test_preview_canvas.moc"
