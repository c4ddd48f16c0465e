// SPDX-License-Identifier: Apache-2.0
// The comparison view's results table: one row per (run, configuration) of up to two benchmark
// sweeps (run A, run B), with the measured numbers, the speed-up and efficiency against the run's
// baseline and the time shares. A numeric sort role lets a QSortFilterProxyModel order numbers as
// numbers; toCsv() writes the same table for spreadsheets.
#pragma once

#include <QAbstractTableModel>
#include <QString>
#include <QVariant>
#include <array>
#include <vector>

#include "common/profiling/bench_results.h"

namespace spstudio::ui {

class ResultsTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column {
    RunColumn,
    ConfigColumn,  ///< "2x1" (U x R)
    WorldColumn,
    StepMedianColumn,  ///< ms, rank 0's measured steps
    StepP25Column,
    StepP75Column,
    ImagesPerSecondColumn,
    SpeedupColumn,     ///< images/s ÷ the run's baseline images/s
    EfficiencyColumn,  ///< speed-up ÷ (world ÷ baseline world), in %
    AttentionColumn,   ///< shares of the step time, in %
    AllToAllColumn,
    RingP2pColumn,
    OtherColumn,
    PeakMemoryColumn,  ///< MiB, the largest over the ranks
    StartupColumn,     ///< ms, pool start → every rank ready
    DevicesColumn,
    ColumnCount
  };
  /// double for the numeric columns (NaN when unknown), QString for the others.
  static constexpr int SortRole = Qt::UserRole + 1;
  static constexpr int kSlots = 2;  ///< run A (0) and run B (1)

  explicit ResultsTableModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  /// Replaces the rows of slot 0 (A) or 1 (B); rows are A's then B's. Other slots are ignored.
  void setRun(int slot, const bench::BenchRun& run, const QString& label);
  void clearRun(int slot);
  void clear();

  /// Header row and one line per row, RFC 4180 (CRLF, fields with , " or line breaks quoted),
  /// numbers unrounded in the C locale; unknown numbers empty.
  QString toCsv() const;

 private:
  using Row = std::array<QVariant, ColumnCount>;
  int firstRowOf(int slot) const;
  const Row& rowAt(int row) const;

  std::array<std::vector<Row>, kSlots> rows_;
};

}  // namespace spstudio::ui
