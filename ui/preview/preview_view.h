// SPDX-License-Identifier: Apache-2.0
// Shows the live stitched preview, then the final image, scaled to fit with its aspect ratio kept;
// optionally outlines each rank's region in the rank's colour with a "rank N" label. Only paints:
// the images come converted from elsewhere (PreviewCanvas runs off the GUI thread).
#pragma once

#include <QImage>
#include <QString>
#include <QVector>
#include <QWidget>

#include "ui/preview/preview_canvas.h"

namespace spstudio::ui {

class PreviewView : public QWidget {
  Q_OBJECT
 public:
  explicit PreviewView(QWidget* parent = nullptr);

  /// A stitched preview (preview pixels) and the tiles in it.
  void setPreview(const QImage& image, const QVector<RankTile>& tiles);
  /// The final image at full resolution; the last tiles stay for the outlines (scaled to it).
  void setFinalImage(const QImage& image);
  /// Nothing to show: the placeholder text instead.
  void clear();
  void setPlaceholderText(const QString& text);
  void setShowRankOutlines(bool show);
  bool showRankOutlines() const { return show_outlines_; }

  const QImage& image() const { return image_; }
  bool isFinal() const { return final_; }
  const QVector<RankTile>& tiles() const { return tiles_; }
  /// Where the image is drawn inside the widget (aspect fit, centred); empty when nothing shown.
  QRectF imageRect() const;
  /// Preview pixels → image-drawn pixels factor for the outlines.
  double tileScale() const;

  QSize sizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QImage image_;
  QVector<RankTile> tiles_;
  int tile_space_width_ = 0;  ///< width of the space the tiles' coordinates are in
  bool final_ = false;
  bool show_outlines_ = true;
  QString placeholder_;
};

}  // namespace spstudio::ui
