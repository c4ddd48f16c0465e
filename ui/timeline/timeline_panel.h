// SPDX-License-Identifier: Apache-2.0
// The profiler panel of the window: a title and a toolbar (Import trace…, Export trace…, Fit), the
// per-rank TimelineView above the statistics of the current selection (sortable table). The whole
// data is selected by default, so the statistics always show something; a drag in the view or
// setSelection() narrows them, and selectionChanged tells the rest of the window.
#pragma once

#include <QString>
#include <QWidget>
#include <vector>

#include "common/profiling/timeline.h"

class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace spstudio::ui {

class StatisticsModel;
class TimelineView;

class TimelinePanel : public QWidget {
  Q_OBJECT
 public:
  explicit TimelinePanel(QWidget* parent = nullptr);

  /// Shows these ranges (all ranks on one clock) under `title`; fits and selects everything.
  void setRanges(std::vector<spstudio::profiling::NamedRange> ranges, const QString& title);
  const std::vector<spstudio::profiling::NamedRange>& ranges() const;
  QString title() const;

  /// Writes the Chrome/Perfetto trace JSON atomically; "" or the error (naming the file).
  QString exportTrace(const QString& path) const;
  /// Reads a Chrome trace (ours or generic) and shows it titled by the file name; "" or the error
  /// naming the file, the current ranges kept. Runs on the calling thread (traces of a few MB
  /// parse in well under a second).
  QString importTrace(const QString& path);

  void setSelection(qint64 begin_ns, qint64 end_ns);
  TimelineView* view() const { return view_; }
  StatisticsModel* statistics() const { return statistics_; }
  /// The table's sorted view of statistics() (sorts by StatisticsModel::SortRole).
  QSortFilterProxyModel* sortedStatistics() const { return sorted_; }

 signals:
  void selectionChanged(qint64 begin_ns, qint64 end_ns);
  void rangesChanged();

 private:
  void showSelection(qint64 begin_ns, qint64 end_ns);
  void importFromDialog();
  void exportFromDialog();

  QLabel* title_;
  QLabel* selection_label_;
  TimelineView* view_;
  StatisticsModel* statistics_;
  QSortFilterProxyModel* sorted_;
  QTableView* table_;
};

}  // namespace spstudio::ui
