// SPDX-License-Identifier: Apache-2.0
// The statistics table under the timeline: one row per range name over the current selection
// (range_statistics.h has the rules), columns name, count, mean, p50, p95, total, share of step,
// then count / mean / total for each rank. SortRole gives numbers to sort by (a
// QSortFilterProxyModel with setSortRole(StatisticsModel::SortRole) sorts numerically).
#pragma once

#include <QAbstractTableModel>

#include "ui/timeline/range_statistics.h"

namespace spstudio::ui {

class StatisticsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { NameColumn, CountColumn, MeanColumn, P50Column, P95Column, TotalColumn, ShareColumn, FirstRankColumn };
  static constexpr int kColumnsPerRank = 3;  ///< count, mean ms, total ms
  enum Role {
    SortRole = Qt::UserRole + 1,  ///< QString for the name, double for the rest (−1: no share)
  };

  explicit StatisticsModel(QObject* parent = nullptr);

  /// Replaces everything (a model reset: the columns follow the ranks).
  void setStatistics(RangeStatistics statistics);
  const RangeStatistics& statistics() const { return statistics_; }
  /// The row of a range name; -1 when it has none in the selection.
  int rowOf(const QString& name) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  /// DisplayRole: ms with 3 decimals, the share as "12.3 %", "—" where there is nothing;
  /// TextAlignmentRole right-aligns numbers; SortRole as above.
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  /// "name", "count", "mean ms", "p50 ms", "p95 ms", "total ms", "share of step", "rank 0 count",
  /// "rank 0 mean ms", "rank 0 total ms", …; ToolTipRole explains the rules.
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  RangeStatistics statistics_;
};

}  // namespace spstudio::ui
