// SPDX-License-Identifier: Apache-2.0
// WorkerStatusModel: one row per rank, fed by the window from the pool's state and failures.
#include "ui/models/worker_status_model.h"

#include <QBrush>
#include <QColor>
#include <array>
#include <cmath>

#include "ui/rank_colors.h"

namespace spstudio::ui {
namespace {

const QString kNone = QString(QChar(0x2014));  // "—"

QString first_line(const QString& text) {
  const qsizetype newline = text.indexOf('\n');
  return newline < 0 ? text : text.left(newline) + QString(QChar(0x2026));  // "…" says there is more
}

QString memory_text(const WorkerRow& row) {
  if (row.peak_bytes && row.memory_bytes)
    return "peak " + format_bytes(row.peak_bytes) + " / " + format_bytes(row.memory_bytes);
  if (row.peak_bytes) return "peak " + format_bytes(row.peak_bytes);
  return format_bytes(row.memory_bytes);
}

int row_of_rank(const QVector<WorkerRow>& rows, int rank) {
  for (int row = 0; row < rows.size(); ++row)
    if (rows[row].rank == rank) return row;
  return -1;
}

}  // namespace

QString format_bytes(quint64 bytes) {
  if (bytes == 0) return kNone;
  struct Unit {
    const char* name;
    int decimals;  // GiB and above: one decimal ("1.5 GiB"), below that whole numbers are precise enough
  };
  static constexpr std::array<Unit, 7> units{
      {{"B", 0}, {"KiB", 0}, {"MiB", 0}, {"GiB", 1}, {"TiB", 1}, {"PiB", 1}, {"EiB", 1}}};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  // Move up while the rounded figure would read 1024 or more (1023.7 KiB is "1 MiB", not "1024 KiB").
  for (;;) {
    const double scale = std::pow(10.0, units[unit].decimals);
    if (unit + 1 == units.size() || std::round(value * scale) / scale < 1024.0) break;
    value /= 1024.0;
    ++unit;
  }
  return QString("%1 %2").arg(value, 0, 'f', units[unit].decimals).arg(units[unit].name);
}

WorkerStatusModel::WorkerStatusModel(QObject* parent) : QAbstractTableModel(parent) {}

int WorkerStatusModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int WorkerStatusModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant WorkerStatusModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const WorkerRow& row = rows_[index.row()];
  const int column = index.column();
  if (role == Qt::DisplayRole) {
    switch (column) {
      case RankColumn:
        return QString::number(row.rank);
      case StateColumn:
        return row.state;
      case DeviceColumn:
        return row.device;
      case MemoryColumn:
        return memory_text(row);
      case PidColumn:
        return row.pid ? QString::number(row.pid) : kNone;
      case MessageColumn:
        return first_line(row.message);
      default:
        return {};
    }
  }
  if (role == Qt::DecorationRole && column == RankColumn) return rank_color(row.rank);
  // A dark red that stays readable on light backgrounds and is not one of the rank colours.
  if (role == Qt::ForegroundRole && row.failed) return QBrush(QColor(0xC6, 0x28, 0x28));
  if (role == Qt::ToolTipRole) {
    if (column == MessageColumn && !row.message.isEmpty()) return row.message;
    if (column == DeviceColumn && !row.backend.isEmpty()) return row.device + " (" + row.backend + ")";
  }
  return {};
}

QVariant WorkerStatusModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
    return QAbstractTableModel::headerData(section, orientation, role);
  switch (section) {
    case RankColumn:
      return QString("Rank");
    case StateColumn:
      return QString("State");
    case DeviceColumn:
      return QString("Device");
    case MemoryColumn:
      return QString("Memory");
    case PidColumn:
      return QString("PID");
    case MessageColumn:
      return QString("Message");
    default:
      return {};
  }
}

void WorkerStatusModel::setRows(const QVector<WorkerRow>& rows) {
  if (rows.size() != rows_.size()) {
    beginResetModel();
    rows_ = rows;
    endResetModel();
    return;
  }
  rows_ = rows;
  // Same count: the views keep their selection and scroll position.
  if (!rows_.isEmpty()) emit dataChanged(index(0, 0), index(static_cast<int>(rows_.size()) - 1, ColumnCount - 1));
}

void WorkerStatusModel::setState(int rank, const QString& state, bool failed) {
  const int row = row_of_rank(rows_, rank);
  if (row < 0) return;
  const bool failed_changed = rows_[row].failed != failed;
  rows_[row].state = state;
  rows_[row].failed = failed;
  if (failed_changed)  // the whole row changes colour
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1), {Qt::DisplayRole, Qt::ForegroundRole});
  else
    emit dataChanged(index(row, StateColumn), index(row, StateColumn), {Qt::DisplayRole});
}

void WorkerStatusModel::setMessage(int rank, const QString& message) {
  const int row = row_of_rank(rows_, rank);
  if (row < 0) return;
  rows_[row].message = message;
  const QModelIndex changed = index(row, MessageColumn);
  emit dataChanged(changed, changed, {Qt::DisplayRole, Qt::ToolTipRole});
}

void WorkerStatusModel::setPeak(int rank, quint64 peak_bytes) {
  const int row = row_of_rank(rows_, rank);
  if (row < 0) return;
  rows_[row].peak_bytes = peak_bytes;
  const QModelIndex changed = index(row, MemoryColumn);
  emit dataChanged(changed, changed, {Qt::DisplayRole});
}

void WorkerStatusModel::setAllStates(const QString& state) {
  if (rows_.isEmpty()) return;
  for (WorkerRow& row : rows_)
    row.state = state;
  emit dataChanged(index(0, StateColumn), index(static_cast<int>(rows_.size()) - 1, StateColumn), {Qt::DisplayRole});
}

}  // namespace spstudio::ui
