// SPDX-License-Identifier: Apache-2.0
// Painting of the live preview: the image aspect-fitted and smoothly scaled, then each rank's
// covered area outlined in its colour (PreviewCanvas gives the tiles, rank_color the colours).
#include "ui/preview/preview_view.h"

#include <QFontMetricsF>
#include <QPaintEvent>
#include <QPainter>
#include <QPen>

#include <algorithm>

#include "ui/rank_colors.h"

namespace spstudio::ui {
namespace {

constexpr double kOutlineWidth = 2.0;
const QColor kBackground(0x18, 0x18, 0x18);       // behind the image: darker than the empty canvas grey
const QColor kPlaceholderText(0x9A, 0x9A, 0x9A);  // on kBackground whatever the palette (a light theme's is dark)

/// "rank N" in the rank's colour on a dark box, just inside the top-left corner of its area.
void draw_label(QPainter& painter, const QPolygonF& outline, int rank, const QRectF& bounds) {
  const QString text = QStringLiteral("rank %1").arg(rank);
  const QFontMetricsF metrics(painter.font());
  const QSizeF size(metrics.horizontalAdvance(text) + 6, metrics.height() + 2);
  QPointF corner = outline.first() + QPointF(kOutlineWidth + 1, kOutlineWidth + 1);
  // Keep it on the image when the area is at the right or bottom edge (e.g. one short last row).
  corner.setX(std::clamp(corner.x(), bounds.left(), std::max(bounds.left(), bounds.right() - size.width())));
  corner.setY(std::clamp(corner.y(), bounds.top(), std::max(bounds.top(), bounds.bottom() - size.height())));
  const QRectF box(corner, size);
  painter.fillRect(box, QColor(0, 0, 0, 160));
  painter.setPen(rank_color(rank));
  painter.drawText(box, Qt::AlignCenter, text);
}

}  // namespace

PreviewView::PreviewView(QWidget* parent)
    : QWidget(parent), placeholder_(tr("The live preview appears here while an image is generated.")) {
  setMinimumSize(64, 64);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void PreviewView::setPreview(const QImage& image, const QVector<RankTile>& tiles) {
  image_ = image;
  tiles_ = tiles;
  tile_space_width_ = image.width();
  final_ = false;
  update();
}

void PreviewView::setFinalImage(const QImage& image) {
  // The tiles keep their preview coordinates; tile_space_width_ stays the preview's width, so
  // tileScale() maps them onto the larger final image.
  image_ = image;
  final_ = true;
  update();
}

void PreviewView::clear() {
  image_ = QImage();
  tiles_.clear();
  tile_space_width_ = 0;
  final_ = false;
  update();
}

void PreviewView::setPlaceholderText(const QString& text) {
  placeholder_ = text;
  update();
}

void PreviewView::setShowRankOutlines(bool show) {
  show_outlines_ = show;
  update();
}

QRectF PreviewView::imageRect() const {
  if (image_.isNull() || width() <= 0 || height() <= 0) return {};
  const double scale =
      std::min(static_cast<double>(width()) / image_.width(), static_cast<double>(height()) / image_.height());
  const QSizeF drawn(image_.width() * scale, image_.height() * scale);
  return QRectF(QPointF((width() - drawn.width()) / 2.0, (height() - drawn.height()) / 2.0), drawn);
}

double PreviewView::tileScale() const {
  if (tile_space_width_ <= 0) return 0.0;
  return imageRect().width() / tile_space_width_;
}

QSize PreviewView::sizeHint() const {
  return {512, 512};
}

void PreviewView::paintEvent(QPaintEvent* /*event*/) {
  QPainter painter(this);
  painter.fillRect(rect(), kBackground);
  if (image_.isNull()) {
    painter.setPen(kPlaceholderText);
    painter.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
    return;
  }
  const QRectF target = imageRect();
  painter.setRenderHint(QPainter::SmoothPixmapTransform);
  painter.drawImage(target, image_);

  const double scale = tileScale();
  if (!show_outlines_ || scale <= 0.0) return;
  QFont small = painter.font();
  if (small.pointSizeF() > 0) small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.85));
  painter.setFont(small);
  for (const RankTile& tile : tiles_) {
    const QPolygonF outline = covered_outline(tile, scale).translated(target.topLeft());
    if (outline.isEmpty()) continue;
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(rank_color(tile.rank), kOutlineWidth, Qt::SolidLine, Qt::SquareCap, Qt::MiterJoin));
    painter.drawPolygon(outline);
    draw_label(painter, outline, tile.rank, target);
  }
}

}  // namespace spstudio::ui
