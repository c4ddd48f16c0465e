// SPDX-License-Identifier: Apache-2.0
// Table model over RangeStatistics.
#include "ui/timeline/statistics_model.h"

namespace spstudio::ui {
namespace {

const QString kNothing = QStringLiteral("\u2014");

QString milliseconds(double ms) {
  return QString::number(ms, 'f', 3);
}

}  // namespace

StatisticsModel::StatisticsModel(QObject* parent) : QAbstractTableModel(parent) {}

void StatisticsModel::setStatistics(RangeStatistics statistics) {
  beginResetModel();
  statistics_ = std::move(statistics);
  endResetModel();
}

int StatisticsModel::rowOf(const QString& name) const {
  const std::string key = name.toStdString();
  for (std::size_t row = 0; row < statistics_.names.size(); ++row) {
    if (statistics_.names[row].name == key) return static_cast<int>(row);
  }
  return -1;
}

int StatisticsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(statistics_.names.size());
}

int StatisticsModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : FirstRankColumn + kColumnsPerRank * static_cast<int>(statistics_.ranks.size());
}

QVariant StatisticsModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const NameStatistics& s = statistics_.names[static_cast<std::size_t>(index.row())];
  const int column = index.column();
  if (role == Qt::TextAlignmentRole) {
    return column == NameColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                : QVariant(Qt::AlignRight | Qt::AlignVCenter);
  }
  if (role != Qt::DisplayRole && role != SortRole) return {};
  const bool display = role == Qt::DisplayRole;
  switch (column) {
    case NameColumn:
      return QString::fromStdString(s.name);
    case CountColumn:
      return display ? QVariant(static_cast<qulonglong>(s.count)) : QVariant(static_cast<double>(s.count));
    case MeanColumn:
      return display ? QVariant(milliseconds(s.mean_ms)) : QVariant(s.mean_ms);
    case P50Column:
      return display ? QVariant(milliseconds(s.p50_ms)) : QVariant(s.p50_ms);
    case P95Column:
      return display ? QVariant(milliseconds(s.p95_ms)) : QVariant(s.p95_ms);
    case TotalColumn:
      return display ? QVariant(milliseconds(s.total_ms)) : QVariant(s.total_ms);
    case ShareColumn:
      if (!display) return s.share_of_step.value_or(-1.0);
      return s.share_of_step ? QStringLiteral("%1 %").arg(*s.share_of_step * 100.0, 0, 'f', 1) : kNothing;
    default:
      break;
  }
  const auto rank_index = static_cast<std::size_t>((column - FirstRankColumn) / kColumnsPerRank);
  if (rank_index >= s.per_rank.size()) return {};
  const RankStatistics& cell = s.per_rank[rank_index];
  switch ((column - FirstRankColumn) % kColumnsPerRank) {
    case 0:
      return display ? QVariant(static_cast<qulonglong>(cell.count)) : QVariant(static_cast<double>(cell.count));
    case 1:
      if (!display) return cell.mean_ms;
      return cell.count > 0 ? milliseconds(cell.mean_ms) : kNothing;
    default:
      return display ? QVariant(milliseconds(cell.total_ms)) : QVariant(cell.total_ms);
  }
}

QVariant StatisticsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= columnCount()) return {};
  if (role == Qt::ToolTipRole) {
    switch (section) {
      case NameColumn:
        return tr("Range name; only ranges that begin inside the selection count");
      case P50Column:
      case P95Column:
        return tr("Nearest-rank percentile: the ⌈p·n⌉-th shortest of the n durations");
      case ShareColumn:
        return tr(
            "The name's selected time over the full duration of the steps the selection touches, per "
            "rank, averaged over the ranks; none outside steps");
      default:
        return {};
    }
  }
  if (role != Qt::DisplayRole) return {};
  switch (section) {
    case NameColumn:
      return tr("name");
    case CountColumn:
      return tr("count");
    case MeanColumn:
      return tr("mean ms");
    case P50Column:
      return tr("p50 ms");
    case P95Column:
      return tr("p95 ms");
    case TotalColumn:
      return tr("total ms");
    case ShareColumn:
      return tr("share of step");
    default:
      break;
  }
  const int rank = statistics_.ranks[static_cast<std::size_t>((section - FirstRankColumn) / kColumnsPerRank)];
  static const char* const kWhat[kColumnsPerRank] = {"count", "mean ms", "total ms"};
  return tr("rank %1 %2").arg(rank).arg(QString::fromLatin1(kWhat[(section - FirstRankColumn) % kColumnsPerRank]));
}

}  // namespace spstudio::ui
