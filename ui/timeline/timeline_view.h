// SPDX-License-Identifier: Apache-2.0
// The per-rank timeline: a time ruler, one row group per rank on one clock (rows per stream, lanes
// by nesting), bars coloured by category with a legend. Hover shows name, duration and share of
// the step; left-drag measures Δt and sets the selection; the wheel zooms around the cursor
// (shift + wheel pans); right-drag pans; double-click fits. Only paints: the math lives in
// TimelineAxis, TimelineLayout and range_statistics.
#pragma once

#include <QColor>
#include <QString>
#include <QWidget>
#include <optional>
#include <vector>

#include "common/profiling/timeline.h"
#include "ui/timeline/range_category.h"
#include "ui/timeline/range_statistics.h"
#include "ui/timeline/timeline_axis.h"
#include "ui/timeline/timeline_layout.h"

namespace spstudio::ui {

/// The bar colour of a category (also the legend's).
QColor category_color(RangeCategory category);

class TimelineView : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kLabelWidth = 130;      ///< row labels, left of the plot
  static constexpr int kRulerHeight = 26;      ///< time ruler, above the rows
  static constexpr int kLegendHeight = 24;     ///< category legend, below the rows
  static constexpr double kMinBarPx = 2.0;     ///< the narrowest a range is drawn
  static constexpr double kClickSlopPx = 3.0;  ///< a left press and release closer than this is no drag

  explicit TimelineView(QWidget* parent = nullptr);

  /// Replaces the ranges, fits the axis and selects all the data (emits selectionChanged).
  void setRanges(std::vector<profiling::NamedRange> ranges);
  const std::vector<profiling::NamedRange>& ranges() const { return ranges_; }
  const TimelineAxis& axis() const { return axis_; }
  const TimelineLayout& rowLayout() const { return layout_; }

  qint64 selectionBegin() const { return selection_begin_; }
  qint64 selectionEnd() const { return selection_end_; }
  /// Orders the two times; emits selectionChanged when the selection changes.
  void setSelection(qint64 begin_ns, qint64 end_ns);
  /// The whole data (the default).
  void selectAll();

  /// Where the bars are drawn, in widget pixels.
  QRect plotRect() const;
  double xOf(qint64 ns) const;  ///< widget x of a time
  qint64 nsAt(double x) const;  ///< time under a widget x
  /// The range under a widget point.
  std::optional<std::size_t> rangeAt(const QPoint& pos) const;
  /// The hover text of the range under pos: "attention_kernel\n2.984 ms · 12.3% of step 3\nrank 0 ·
  /// step 3"; empty where there is none.
  QString toolTipAt(const QPoint& pos) const;

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 public slots:
  /// Shows all the data.
  void fit();

 signals:
  void selectionChanged(qint64 begin_ns, qint64 end_ns);

 protected:
  bool event(QEvent* event) override;
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  enum class Drag { kNone, kMeasure, kPan };

  void paintRuler(QPainter& painter) const;
  void paintRows(QPainter& painter) const;
  void paintSpan(QPainter& painter, qint64 begin_ns, qint64 end_ns, bool live) const;
  void paintLegend(QPainter& painter) const;
  void setHovered(std::optional<std::size_t> hovered);

  std::vector<profiling::NamedRange> ranges_;
  TimelineLayout layout_;
  TimelineAxis axis_;
  StepDurations steps_;
  qint64 selection_begin_ = 0, selection_end_ = 0;
  Drag drag_ = Drag::kNone;
  double press_x_ = 0, last_x_ = 0;
  qint64 measure_from_ = 0, measure_to_ = 0;
  std::optional<std::size_t> hovered_;
};

}  // namespace spstudio::ui
