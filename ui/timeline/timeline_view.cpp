// SPDX-License-Identifier: Apache-2.0
// TimelineView: input handling and the selection; the painting is in timeline_view_paint.cpp.
#include "ui/timeline/timeline_view.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <limits>

namespace spstudio::ui {

using profiling::NamedRange;

namespace {
constexpr double kZoomPerNotch = 1.25;  // one wheel notch (120 eighths of a degree)
constexpr double kPanPerNotchPx = 60;   // shift + wheel
}  // namespace

TimelineView::TimelineView(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("timelineView"));
  setMouseTracking(true);  // hover highlight without a button held
  setFocusPolicy(Qt::WheelFocus);
  setAttribute(Qt::WA_OpaquePaintEvent);
  layout_ = TimelineLayout({}, TimelineRowMetrics{kRulerHeight + 4.0});
  axis_.setWidth(plotRect().width());
}

void TimelineView::setRanges(std::vector<NamedRange> ranges) {
  axis_.setWidth(plotRect().width());  // a hidden widget gets its resize event only when shown
  ranges_ = std::move(ranges);
  layout_ = TimelineLayout(ranges_, TimelineRowMetrics{kRulerHeight + 4.0});
  steps_ = StepDurations(ranges_);
  hovered_.reset();
  drag_ = Drag::kNone;
  std::int64_t begin = 0, end = 0;
  if (!ranges_.empty()) {
    begin = std::numeric_limits<std::int64_t>::max();
    end = std::numeric_limits<std::int64_t>::min();
    for (const NamedRange& r : ranges_) {
      begin = std::min(begin, r.begin_ns);
      end = std::max(end, r.end_ns);
    }
  }
  axis_.setExtent(begin, end);
  selection_begin_ = begin;
  selection_end_ = end;
  updateGeometry();  // the height follows the number of rows
  update();
  emit selectionChanged(selection_begin_, selection_end_);
}

void TimelineView::setSelection(qint64 begin_ns, qint64 end_ns) {
  const qint64 begin = std::min(begin_ns, end_ns), end = std::max(begin_ns, end_ns);
  if (begin == selection_begin_ && end == selection_end_) return;
  selection_begin_ = begin;
  selection_end_ = end;
  update();
  emit selectionChanged(selection_begin_, selection_end_);
}

void TimelineView::selectAll() {
  setSelection(axis_.extentBegin(), axis_.extentEnd());
}

void TimelineView::fit() {
  axis_.fit();
  update();
}

QRect TimelineView::plotRect() const {
  return QRect(kLabelWidth, kRulerHeight, std::max(1, width() - kLabelWidth),
               std::max(1, height() - kRulerHeight - kLegendHeight));
}

double TimelineView::xOf(qint64 ns) const {
  return kLabelWidth + axis_.x_of(ns);
}

qint64 TimelineView::nsAt(double x) const {
  return axis_.ns_of(x - kLabelWidth);
}

std::optional<std::size_t> TimelineView::rangeAt(const QPoint& pos) const {
  if (!plotRect().contains(pos)) return std::nullopt;
  return layout_.rangeAt(ranges_, axis_, pos.x() - kLabelWidth, pos.y(), kMinBarPx);
}

QString TimelineView::toolTipAt(const QPoint& pos) const {
  const std::optional<std::size_t> index = rangeAt(pos);
  if (!index) return {};
  const NamedRange& r = ranges_[*index];
  QString duration = QString::fromStdString(format_duration(r.end_ns - r.begin_ns));
  if (const std::optional<double> share = steps_.shareOfStep(r)) {
    duration += tr(" \u00b7 %1% of step %2").arg(*share * 100.0, 0, 'f', 1).arg(r.step);
  }
  // Concatenated, not arg()ed: an imported name may contain "%1".
  return QString::fromStdString(r.name) + QLatin1Char('\n') + duration + QLatin1Char('\n') +
         tr("rank %1 \u00b7 step %2").arg(r.rank).arg(r.step);
}

QSize TimelineView::sizeHint() const {
  return {900, static_cast<int>(std::ceil(layout_.height())) + kLegendHeight + 8};
}

QSize TimelineView::minimumSizeHint() const {
  return {kLabelWidth + 200, static_cast<int>(std::ceil(layout_.height())) + kLegendHeight + 8};
}

bool TimelineView::event(QEvent* event) {
  if (event->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(event);
    const QString text = toolTipAt(help->pos());
    if (text.isEmpty()) {
      QToolTip::hideText();
      event->ignore();
    } else {
      QToolTip::showText(help->globalPos(), text, this);
    }
    return true;
  }
  return QWidget::event(event);
}

void TimelineView::resizeEvent(QResizeEvent* event) {
  axis_.setWidth(plotRect().width());  // keeps the window: more pixels for the same time
  QWidget::resizeEvent(event);
}

void TimelineView::mousePressEvent(QMouseEvent* event) {
  const double x = event->position().x();
  press_x_ = last_x_ = x;
  if (event->button() == Qt::LeftButton && x >= kLabelWidth) {
    drag_ = Drag::kMeasure;
    measure_from_ = measure_to_ = nsAt(x);
  } else if (event->button() == Qt::RightButton) {
    drag_ = Drag::kPan;
    setCursor(Qt::ClosedHandCursor);
  }
  event->accept();
}

void TimelineView::mouseMoveEvent(QMouseEvent* event) {
  const double x = event->position().x();
  if (drag_ == Drag::kMeasure) {
    measure_to_ = nsAt(std::max<double>(x, kLabelWidth));
    update();
  } else if (drag_ == Drag::kPan) {
    axis_.pan(x - last_x_);
    update();
  } else {
    setHovered(rangeAt(event->position().toPoint()));
  }
  last_x_ = x;
}

void TimelineView::mouseReleaseEvent(QMouseEvent* event) {
  if (drag_ == Drag::kMeasure && event->button() == Qt::LeftButton) {
    drag_ = Drag::kNone;
    // A plain click keeps the selection; only a drag measures.
    if (std::fabs(event->position().x() - press_x_) >= kClickSlopPx) {
      measure_to_ = nsAt(std::max<double>(event->position().x(), kLabelWidth));
      setSelection(measure_from_, measure_to_);
    }
    update();
  } else if (drag_ == Drag::kPan && event->button() == Qt::RightButton) {
    drag_ = Drag::kNone;
    unsetCursor();
  }
  event->accept();
}

void TimelineView::mouseDoubleClickEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton) fit();
  event->accept();
}

void TimelineView::wheelEvent(QWheelEvent* event) {
  const QPoint delta = event->angleDelta();
  const bool pan = (event->modifiers() & Qt::ShiftModifier) || std::abs(delta.x()) > std::abs(delta.y());
  if (pan) {
    const int notches = delta.x() != 0 ? delta.x() : delta.y();
    axis_.pan(notches / 120.0 * kPanPerNotchPx);
  } else {
    const double anchor = std::max(0.0, event->position().x() - kLabelWidth);
    axis_.zoom(std::pow(kZoomPerNotch, delta.y() / 120.0), anchor);
  }
  update();
  event->accept();
}

void TimelineView::leaveEvent(QEvent* event) {
  setHovered(std::nullopt);
  QWidget::leaveEvent(event);
}

void TimelineView::setHovered(std::optional<std::size_t> hovered) {
  if (hovered == hovered_) return;
  hovered_ = hovered;
  update();
}

}  // namespace spstudio::ui
