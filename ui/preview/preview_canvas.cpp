// SPDX-License-Identifier: Apache-2.0
// Stitching: validates each rank's tile against its own declared geometry, then copies the pixels
// the rank really owns (PreviewTile::covers, the rule core/common and the workers share).
#include "ui/preview/preview_canvas.h"

#include <QColor>
#include <QPointF>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include "common/latent_preview.h"

namespace spstudio::ui {
namespace {

const QColor kEmptyCanvas(0x20, 0x20, 0x20);  // where no rank has drawn yet

std::string str(std::int64_t v) {
  return std::to_string(v);
}

/// The tile's geometry (no pixels) as core/common describes it, so the covered rule is not restated here.
PreviewTile geometry_of(const wire::StepPreview& p) {
  PreviewTile tile;
  tile.x = static_cast<int>(p.x);
  tile.y = static_cast<int>(p.y);
  tile.width = static_cast<int>(p.tile.width);
  tile.height = static_cast<int>(p.tile.height);
  tile.covered_x_begin = static_cast<int>(p.covered_x_begin);
  tile.covered_x_end = static_cast<int>(p.covered_x_end);
  return tile;
}

void validate(const wire::StepPreview& p) {
  // All in int64: the fields are uint32 and their sums must not wrap.
  const std::int64_t x = p.x, y = p.y, w = p.tile.width, h = p.tile.height;
  const std::int64_t full_w = p.full_width, full_h = p.full_height;
  const std::int64_t begin = p.covered_x_begin, end = p.covered_x_end;
  const std::string who = "preview of rank " + str(p.rank) + ", step " + str(p.step) + ": ";
  // The canvas is an int-sized QImage; 2^15 preview pixels is a 262144-pixel-wide image already.
  constexpr std::int64_t kMaxSide = 1 << 15;
  if (full_w < 1 || full_h < 1 || full_w > kMaxSide || full_h > kMaxSide)
    throw std::invalid_argument(who + "preview size " + str(full_w) + "×" + str(full_h) + " is not in 1.." +
                                str(kMaxSide) + " per side");
  if (w < 1 || h < 1) throw std::invalid_argument(who + "empty tile " + str(w) + "×" + str(h));
  if (x + w > full_w || y + h > full_h)
    throw std::invalid_argument(who + "tile " + str(w) + "×" + str(h) + " at (" + str(x) + ", " + str(y) +
                                ") does not fit the " + str(full_w) + "×" + str(full_h) + " preview");
  const std::int64_t expected_bytes = w * h * 3;
  if (static_cast<std::int64_t>(p.tile.rgb.size()) != expected_bytes)
    throw std::invalid_argument(who + str(static_cast<std::int64_t>(p.tile.rgb.size())) + " RGB bytes for a " + str(w) +
                                "×" + str(h) + " tile (expected " + str(expected_bytes) + ")");
  if (begin < x || begin >= x + w || end <= x || end > x + w)
    throw std::invalid_argument(who + "covered columns begin " + str(begin) + " / end " + str(end) +
                                " are outside the tile's columns [" + str(x) + ", " + str(x + w) + ")");
  if (h <= 2 && begin >= end)  // one token row: its first row is its last row
    throw std::invalid_argument(who + "covered columns [" + str(begin) + ", " + str(end) +
                                ") of a one-row tile are empty");
  if (p.steps < 1 || p.step < 1 || p.step > p.steps)
    throw std::invalid_argument(who + "step " + str(p.step) + " of " + str(p.steps) + " (need 1 ≤ step ≤ steps)");
  if (p.pixel_scale < 1) throw std::invalid_argument(who + "pixel scale 0 (image pixels per preview pixel)");
}

/// Covered columns [begin, end) of each row band of a tile; rows are grouped while they stay equal.
struct Band {
  int top, bottom, begin, end;
};

QVector<Band> covered_bands(const RankTile& t) {
  PreviewTile tile;
  tile.x = t.rect.x();
  tile.y = t.rect.y();
  tile.width = t.rect.width();
  tile.height = t.rect.height();
  tile.covered_x_begin = t.covered_x_begin;
  tile.covered_x_end = t.covered_x_end;
  QVector<Band> bands;
  for (int py = tile.y; py < tile.y + tile.height; ++py) {
    // covers() answers per pixel; a row's covered pixels are one run, so its ends are enough.
    int begin = tile.x;
    while (begin < tile.x + tile.width && !tile.covers(begin, py))
      ++begin;
    int end = begin;
    while (end < tile.x + tile.width && tile.covers(end, py))
      ++end;
    if (begin == end) continue;
    if (!bands.isEmpty() && bands.back().bottom == py && bands.back().begin == begin && bands.back().end == end)
      bands.back().bottom = py + 1;
    else
      bands.push_back({py, py + 1, begin, end});
  }
  return bands;
}

bool collinear(const QPointF& a, const QPointF& b, const QPointF& c) {
  return (a.x() == b.x() && b.x() == c.x()) || (a.y() == b.y() && b.y() == c.y());
}

}  // namespace

QPolygonF covered_outline(const RankTile& tile, double scale) {
  const QVector<Band> bands = covered_bands(tile);
  if (bands.isEmpty()) return {};
  // Clockwise on screen from the top-left covered corner: down the right ends, up the left ends.
  // Bands that do not overlap (a shard of two partial rows) join along their shared row edge.
  QVector<QPointF> points{QPointF(bands.front().begin, bands.front().top)};
  for (const Band& b : bands)
    points << QPointF(b.end, b.top) << QPointF(b.end, b.bottom);
  for (auto b = bands.crbegin(); b != bands.crend(); ++b)
    points << QPointF(b->begin, b->bottom) << QPointF(b->begin, b->top);
  points.removeLast();  // the starting corner again

  // Keep corners only: drop repeated points and points in the middle of a straight edge.
  bool changed = true;
  while (changed && points.size() > 2) {
    changed = false;
    for (qsizetype i = 0; i < points.size() && points.size() > 2; ++i) {
      const QPointF& prev = points[(i + points.size() - 1) % points.size()];
      const QPointF& next = points[(i + 1) % points.size()];
      if (points[i] == prev || collinear(prev, points[i], next)) {
        points.remove(i);
        changed = true;
        break;
      }
    }
  }
  QPolygonF outline;
  for (const QPointF& p : points)
    outline << p * scale;
  return outline;
}

void PreviewCanvas::add(const wire::StepPreview& preview) {
  validate(preview);
  const int full_w = static_cast<int>(preview.full_width), full_h = static_cast<int>(preview.full_height);
  const bool same_image = !image_.isNull() && preview.job_id == job_id_ &&
                          static_cast<int>(preview.image_index) == image_index_ && image_.width() == full_w &&
                          image_.height() == full_h;
  if (!same_image) {
    image_ = QImage(full_w, full_h, QImage::Format_RGB888);
    image_.fill(kEmptyCanvas);
    tiles_.clear();
    job_id_ = preview.job_id;
    image_index_ = static_cast<int>(preview.image_index);
    step_ = 0;
  }
  pixel_scale_ = static_cast<int>(preview.pixel_scale);
  steps_ = static_cast<int>(preview.steps);
  step_ = std::max(step_, static_cast<int>(preview.step));

  const PreviewTile tile = geometry_of(preview);
  const std::uint8_t* source = preview.tile.rgb.data();
  for (int ty = 0; ty < tile.height; ++ty) {
    uchar* line = image_.scanLine(tile.y + ty);  // rows are padded to 4 bytes: address each one
    for (int tx = 0; tx < tile.width; ++tx) {
      const int px = tile.x + tx;
      if (tile.covers(px, tile.y + ty))
        std::memcpy(line + static_cast<std::ptrdiff_t>(px) * 3,
                    source + (static_cast<std::size_t>(ty) * tile.width + tx) * 3, 3);
    }
  }

  RankTile placed;
  placed.rank = static_cast<int>(preview.rank);
  placed.rect = QRect(tile.x, tile.y, tile.width, tile.height);
  placed.covered_x_begin = tile.covered_x_begin;
  placed.covered_x_end = tile.covered_x_end;
  placed.step = static_cast<int>(preview.step);
  const auto at = std::lower_bound(tiles_.begin(), tiles_.end(), placed.rank,
                                   [](const RankTile& t, int rank) { return t.rank < rank; });
  if (at != tiles_.end() && at->rank == placed.rank)
    *at = placed;
  else
    tiles_.insert(at, placed);
}

void PreviewCanvas::clear() {
  image_ = QImage();
  tiles_.clear();
  pixel_scale_ = 1;
  job_id_ = 0;
  image_index_ = -1;
  step_ = steps_ = 0;
}

QVector<RankTile> PreviewCanvas::tiles() const {
  return tiles_;
}

}  // namespace spstudio::ui
