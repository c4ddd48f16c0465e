// SPDX-License-Identifier: Apache-2.0
// TimelineView painting: only what is visible is drawn (each lane is binary-searched for the
// window, and bars hidden under an already drawn pixel are skipped), so long traces stay cheap.
#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

#include "ui/rank_colors.h"
#include "ui/timeline/timeline_view.h"

namespace spstudio::ui {

using profiling::NamedRange;

QColor category_color(RangeCategory category) {
  switch (category) {
    case RangeCategory::kCompute:
      return QColor(0x9a, 0xab, 0xbd);  // slate: the bulk, quiet
    case RangeCategory::kAttentionKernel:
      return QColor(0x3b, 0x6e, 0xc2);  // blue
    case RangeCategory::kAllToAll:
      return QColor(0xe8, 0x8a, 0x3c);  // orange
    case RangeCategory::kRingP2P:
      return QColor(0xc7, 0x3e, 0x4a);  // red
    case RangeCategory::kShardGather:
      return QColor(0x4f, 0xa8, 0x62);  // green
    case RangeCategory::kVae:
      return QColor(0x8d, 0x6c, 0xc4);  // purple
    case RangeCategory::kOther:
      break;
  }
  return QColor(0xc4, 0xc4, 0xc4);  // grey
}

namespace {

/// Floor of a / b for b > 0 (ticks left of the origin).
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && (a < 0) ? 1 : 0);
}

QColor text_color_on(const QColor& background) {
  return background.lightnessF() > 0.6 ? QColor(Qt::black) : QColor(Qt::white);
}

}  // namespace

void TimelineView::paintEvent(QPaintEvent* /*event*/) {
  QPainter painter(this);
  painter.fillRect(rect(), palette().base());
  if (ranges_.empty()) {
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(rect(), Qt::AlignCenter, tr("No timeline yet: generate with profiling on, or import a trace"));
    return;
  }
  paintRows(painter);
  if (drag_ == Drag::kMeasure && measure_from_ != measure_to_) {
    paintSpan(painter, std::min(measure_from_, measure_to_), std::max(measure_from_, measure_to_), true);
  } else if (selection_begin_ != axis_.extentBegin() || selection_end_ != axis_.extentEnd()) {
    paintSpan(painter, selection_begin_, selection_end_, false);
  }
  paintRuler(painter);
  paintLegend(painter);
}

void TimelineView::paintRuler(QPainter& painter) const {
  const QColor text = palette().color(QPalette::WindowText);
  painter.fillRect(QRect(0, 0, width(), kRulerHeight), palette().window());
  painter.setPen(palette().color(QPalette::Mid));
  painter.drawLine(0, kRulerHeight - 1, width(), kRulerHeight - 1);
  painter.setPen(text);
  painter.drawText(QRect(6, 0, kLabelWidth - 10, kRulerHeight), Qt::AlignVCenter | Qt::AlignLeft,
                   tr("span %1").arg(QString::fromStdString(format_duration(axis_.span()))));
  // Ticks are multiples of the step counted from the data's first time, shown as "0".
  const std::int64_t step = tick_step_ns(axis_.nsPerPixel(), 90);
  const std::int64_t origin = axis_.extentBegin();
  painter.setClipRect(QRect(kLabelWidth, 0, width() - kLabelWidth, kRulerHeight));
  // Only ticks inside the plot: a label hanging in from the left would be cut.
  for (std::int64_t k = floor_div(axis_.begin() - origin, step) + 1; origin + k * step <= axis_.end(); ++k) {
    const std::int64_t t = origin + k * step;
    const double x = xOf(t);
    painter.drawLine(QPointF(x, kRulerHeight - 7), QPointF(x, kRulerHeight - 1));
    painter.drawText(QPointF(x + 3, kRulerHeight - 9), QString::fromStdString(format_tick(t - origin, step)));
  }
  painter.setClipping(false);
}

void TimelineView::paintRows(QPainter& painter) const {
  const QRect plot = plotRect();
  const TimelineRowMetrics& m = layout_.metrics();
  painter.fillRect(QRect(0, kRulerHeight, kLabelWidth, plot.height()), palette().window());

  // Bands per rank, so that a rank's stream rows read as one group.
  const std::vector<TimelineRow>& rows = layout_.rows();
  int rank_index = -1;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (r == 0 || rows[r].rank != rows[r - 1].rank) ++rank_index;
    const QRectF band(kLabelWidth, rows[r].top, plot.width(), rows[r].height);
    painter.fillRect(band, rank_index % 2 ? palette().alternateBase() : palette().base());
    // The label: the rank's colour as a bar, then "rank 0 · stream 1".
    painter.fillRect(QRectF(0, rows[r].top, 5, rows[r].height), rank_color(rows[r].rank));
    painter.setPen(palette().color(QPalette::WindowText));
    const QString label = QString::fromStdString(rows[r].label);
    painter.drawText(QRectF(10, rows[r].top, kLabelWidth - 14, m.lane_height), Qt::AlignVCenter | Qt::AlignLeft,
                     painter.fontMetrics().elidedText(label, Qt::ElideRight, kLabelWidth - 14));
  }

  painter.save();
  painter.setClipRect(plot);
  // Faint grid at the ruler's ticks.
  const std::int64_t step = tick_step_ns(axis_.nsPerPixel(), 90);
  const std::int64_t origin = axis_.extentBegin();
  painter.setPen(QPen(palette().color(QPalette::Midlight), 1, Qt::DotLine));
  for (std::int64_t k = floor_div(axis_.begin() - origin, step); origin + k * step <= axis_.end(); ++k) {
    const double x = xOf(origin + k * step);
    painter.drawLine(QPointF(x, plot.top()), QPointF(x, layout_.height()));
  }

  const QFontMetrics metrics = painter.fontMetrics();
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t lane = 0; lane < rows[r].lanes.size(); ++lane) {
      const std::vector<std::size_t>& in_lane = rows[r].lanes[lane];
      const auto [first, last] =
          layout_.visible(ranges_, static_cast<int>(r), static_cast<int>(lane), axis_.begin(), axis_.end());
      const double top = layout_.laneTop(static_cast<int>(r), static_cast<int>(lane)) + 1;
      double drawn_right = -1e300;  // bars wholly under drawn pixels are skipped
      for (std::size_t k = first; k < last; ++k) {
        const NamedRange& range = ranges_[in_lane[k]];
        const PixelSpan span = axis_.bar(range.begin_ns, range.end_ns, kMinBarPx);
        const QRectF bar(kLabelWidth + span.left, top, span.width, m.lane_height - 2);
        if (bar.right() <= drawn_right) continue;
        drawn_right = bar.right();
        const QColor color = category_color(category_of(range.name));
        painter.fillRect(bar, color);
        if (bar.width() >= 4) {
          painter.setPen(color.darker(135));
          painter.drawRect(bar.adjusted(0, 0, -1, -1));
        }
        if (bar.width() > 30) {
          const QRectF inside = bar.intersected(QRectF(plot)).adjusted(3, 0, -3, 0);
          painter.setPen(text_color_on(color));
          painter.drawText(
              inside, Qt::AlignVCenter | Qt::AlignLeft,
              metrics.elidedText(QString::fromStdString(range.name), Qt::ElideRight, static_cast<int>(inside.width())));
        }
      }
    }
  }
  if (hovered_) {
    const NamedRange& range = ranges_[*hovered_];
    const PixelSpan span = axis_.bar(range.begin_ns, range.end_ns, kMinBarPx);
    const double top = layout_.laneTop(layout_.rowOf(*hovered_), layout_.laneOf(*hovered_));
    painter.setPen(QPen(palette().color(QPalette::Highlight), 2));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(QRectF(kLabelWidth + span.left, top + 1, span.width, m.lane_height - 2));
  }
  painter.restore();
}

void TimelineView::paintSpan(QPainter& painter, qint64 begin_ns, qint64 end_ns, bool live) const {
  const QRect plot = plotRect();
  painter.save();
  painter.setClipRect(plot);
  const double left = xOf(begin_ns), right = xOf(end_ns);
  QColor fill = palette().color(QPalette::Highlight);
  fill.setAlpha(live ? 70 : 45);
  painter.fillRect(QRectF(left, plot.top(), right - left, plot.height()), fill);
  painter.setPen(QPen(palette().color(QPalette::Highlight), 1));
  painter.drawLine(QPointF(left, plot.top()), QPointF(left, plot.bottom()));
  painter.drawLine(QPointF(right, plot.top()), QPointF(right, plot.bottom()));
  // "Δt 12.3 ms" in a box at the top of the span, kept on screen.
  const QString text = tr("\u0394t %1").arg(QString::fromStdString(format_duration(end_ns - begin_ns)));
  const QRect box = painter.fontMetrics().boundingRect(text).adjusted(-5, -3, 5, 3);
  const double centre = std::clamp((std::max(left, double(plot.left())) + std::min(right, double(plot.right()))) / 2,
                                   plot.left() + box.width() / 2.0, plot.right() - box.width() / 2.0);
  const QRectF label(centre - box.width() / 2.0, plot.top() + 2, box.width(), box.height());
  painter.fillRect(label, palette().color(QPalette::ToolTipBase));
  painter.setPen(palette().color(QPalette::ToolTipText));
  painter.drawRect(label);
  painter.drawText(label, Qt::AlignCenter, text);
  painter.restore();
}

void TimelineView::paintLegend(QPainter& painter) const {
  const int top = height() - kLegendHeight;
  painter.fillRect(QRect(0, top, width(), kLegendHeight), palette().window());
  const QFontMetrics metrics = painter.fontMetrics();
  int x = 8;
  for (const RangeCategory category : kRangeCategories) {
    const QString label = QString::fromLatin1(category_label(category));
    painter.fillRect(QRect(x, top + (kLegendHeight - 12) / 2, 12, 12), category_color(category));
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QRect(x + 16, top, metrics.horizontalAdvance(label) + 2, kLegendHeight), Qt::AlignVCenter, label);
    x += 16 + metrics.horizontalAdvance(label) + 14;
  }
}

}  // namespace spstudio::ui
