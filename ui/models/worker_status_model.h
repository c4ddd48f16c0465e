// SPDX-License-Identifier: Apache-2.0
// One row per worker rank: state, device, memory, pid and the last thing it said (a failure in
// words). The window feeds it from the pool's WorkerInfo and failures; ui knows nothing of the pool.
#pragma once

#include <QAbstractTableModel>
#include <QString>
#include <QVector>

namespace spstudio::ui {

struct WorkerRow {
  int rank = 0;
  QString state;             ///< "starting", "ready", "busy", "failed", "stopped", …
  QString device;            ///< "cpu", "cuda:0 NVIDIA H100"
  QString backend;           ///< "gloo", "nccl", "local"
  quint64 memory_bytes = 0;  ///< device memory (RAM on CPU); 0: unknown
  quint64 peak_bytes = 0;    ///< peak use during the last image; 0: unknown
  qint64 pid = 0;
  QString message;  ///< the last failure or log line worth showing
  bool failed = false;
};

class WorkerStatusModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { RankColumn, StateColumn, DeviceColumn, MemoryColumn, PidColumn, MessageColumn, ColumnCount };

  explicit WorkerStatusModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  /// DisplayRole text per column (memory as "1.2 GiB" or "peak 240 MiB / 24 GiB"); DecorationRole
  /// of the rank column is the rank's colour (rank_colors.h); ForegroundRole red for failed rows;
  /// ToolTipRole the whole message.
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  /// Replaces every row (reset when the count changes, dataChanged otherwise).
  void setRows(const QVector<WorkerRow>& rows);
  const QVector<WorkerRow>& rows() const { return rows_; }
  /// The following ignore an unknown rank.
  void setState(int rank, const QString& state, bool failed = false);
  void setMessage(int rank, const QString& message);
  void setPeak(int rank, quint64 peak_bytes);
  /// Every row's state at once (e.g. "busy" when a job starts).
  void setAllStates(const QString& state);

 private:
  QVector<WorkerRow> rows_;
};

/// "512 KiB", "243 MiB", "1.5 GiB"; "—" for 0.
QString format_bytes(quint64 bytes);

}  // namespace spstudio::ui
