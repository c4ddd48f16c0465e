// SPDX-License-Identifier: Apache-2.0
// Stitches the per-rank preview tiles of one image into one picture (UX.md: each rank projects its
// own sequence shard; the GUI stitches). GUI-free (QImage only), so it runs off the GUI thread and
// is unit-tested without a window. The canvas is at preview resolution (latent pixels: one token =
// 2×2); pixel_scale says how many image pixels each preview pixel stands for.
#pragma once

#include <QImage>
#include <QPolygon>
#include <QRect>
#include <QVector>

#include "common/wire/messages.h"

namespace spstudio::ui {

/// Where one rank's latest tile lies, in preview pixels.
struct RankTile {
  int rank = 0;
  QRect rect;               ///< the tile's bounding rectangle
  int covered_x_begin = 0;  ///< first covered column of its first row (a shard may start mid-row)
  int covered_x_end = 0;    ///< end (exclusive) of the covered columns of its last row
  int step = 0;             ///< the step this tile shows
};

/// The outline of the pixels a tile really covers (a shard that starts or ends mid-row covers a
/// staircase, not the whole rectangle), in preview pixels, scaled by `scale` (e.g. to image pixels).
QPolygonF covered_outline(const RankTile& tile, double scale = 1.0);

class PreviewCanvas {
 public:
  /// Paints the covered pixels of `preview`'s tile. A preview of another job, image or size starts
  /// a fresh canvas (dark grey where no rank has drawn yet). Throws std::invalid_argument, naming
  /// the rank and the numbers, when the tile does not fit the declared size, its byte count is
  /// wrong or its covered columns are out of range; the canvas is then unchanged.
  void add(const wire::StepPreview& preview);
  void clear();

  bool empty() const { return image_.isNull(); }
  const QImage& image() const { return image_; }  ///< RGB888, full_width × full_height
  QVector<RankTile> tiles() const;                ///< the latest tile of each rank, by rank
  int pixel_scale() const { return pixel_scale_; }
  quint64 job_id() const { return job_id_; }
  int image_index() const { return image_index_; }
  int step() const { return step_; }  ///< the highest step painted
  int steps() const { return steps_; }

 private:
  QImage image_;
  QVector<RankTile> tiles_;
  int pixel_scale_ = 1;
  quint64 job_id_ = 0;
  int image_index_ = -1;
  int step_ = 0, steps_ = 0;
};

}  // namespace spstudio::ui
