// SPDX-License-Identifier: Apache-2.0
// ResultsTableModel: the rows of the comparison table, their display text, sort values and CSV.
#include "ui/comparison/results_table_model.h"

#include <QStringList>
#include <cmath>

#include "ui/comparison/comparison_series.h"

namespace spstudio::ui {
namespace {

struct ColumnInfo {
  const char* title;
  const char* tooltip;
  int decimals;  ///< for display; -1: text or integer
  const char* suffix;
};

constexpr ColumnInfo kColumns[ResultsTableModel::ColumnCount] = {
    {"Run", "The sweep this row comes from", -1, ""},
    {"Config (UxR)", "Ulysses degree x ring degree", -1, ""},
    {"World", "Ranks (worker processes) = U x R", -1, ""},
    {"Step ms", "Median step time of rank 0's measured steps", 1, ""},
    {"Step ms p25", "First quartile of the step time", 1, ""},
    {"Step ms p75", "Third quartile of the step time", 1, ""},
    {"Images/s", "Measured images divided by their wall time", 3, ""},
    {"Speed-up", "Images/s divided by the baseline's (1x1, else the smallest world)", 2, "\u00d7"},
    {"Efficiency %", "Speed-up divided by the ideal world / baseline world", 0, " %"},
    {"Attention %", "Share of the step time in attention kernels (compute)", 1, " %"},
    {"All-to-all %", "Share of the step time in Ulysses all-to-all", 1, " %"},
    {"Ring P2P %", "Share of the step time waiting for ring K/V transfers", 1, " %"},
    {"Other %", "The rest of the step time", 1, " %"},
    {"Peak MiB", "Peak memory of the busiest rank", 1, ""},
    {"Startup ms", "Pool start until every rank was ready", 0, ""},
    {"Devices", "The device of every rank", -1, ""},
};

/// "cpu ×4" when every rank used the same device, else the list.
QString devices_text(const std::vector<std::string>& devices) {
  if (devices.empty()) return {};
  bool same = true;
  for (const std::string& d : devices)
    same = same && d == devices.front();
  if (same && devices.size() > 1)
    return QString::fromStdString(devices.front()) + QStringLiteral(" \u00d7%1").arg(devices.size());
  QStringList names;
  for (const std::string& d : devices)
    names << QString::fromStdString(d);
  return names.join(QStringLiteral(", "));
}

QString csv_field(QString text) {
  if (text.contains(',') || text.contains('"') || text.contains('\n') || text.contains('\r'))
    return '"' + text.replace('"', QStringLiteral("\"\"")) + '"';
  return text;
}

}  // namespace

ResultsTableModel::ResultsTableModel(QObject* parent) : QAbstractTableModel(parent) {}

int ResultsTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_[0].size() + rows_[1].size());
}

int ResultsTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

int ResultsTableModel::firstRowOf(int slot) const {
  return slot == 0 ? 0 : static_cast<int>(rows_[0].size());
}

const ResultsTableModel::Row& ResultsTableModel::rowAt(int row) const {
  const auto r = static_cast<std::size_t>(row);
  return r < rows_[0].size() ? rows_[0][r] : rows_[1][r - rows_[0].size()];
}

QVariant ResultsTableModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const QVariant& value = rowAt(index.row())[static_cast<std::size_t>(index.column())];
  const ColumnInfo& column = kColumns[index.column()];
  switch (role) {
    case SortRole:
      return value;
    case Qt::DisplayRole: {
      if (column.decimals < 0) return value.toString();
      const double number = value.toDouble();
      if (std::isnan(number)) return QStringLiteral("\u2014");
      return QString::number(number, 'f', column.decimals) + QString::fromUtf8(column.suffix);
    }
    case Qt::TextAlignmentRole:
      return QVariant::fromValue(Qt::Alignment(
          value.typeId() == QMetaType::QString ? Qt::AlignLeft | Qt::AlignVCenter : Qt::AlignRight | Qt::AlignVCenter));
    default:
      return {};
  }
}

QVariant ResultsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount) return {};
  if (role == Qt::DisplayRole) return QString::fromUtf8(kColumns[section].title);
  if (role == Qt::ToolTipRole) return QString::fromUtf8(kColumns[section].tooltip);
  return {};
}

void ResultsTableModel::setRun(int slot, const bench::BenchRun& run, const QString& label) {
  if (slot < 0 || slot >= kSlots) return;
  clearRun(slot);
  if (run.configs.empty()) return;
  const Scaling scale = scaling(run);
  std::vector<Row> rows;
  for (std::size_t i = 0; i < run.configs.size(); ++i) {
    const bench::ConfigResult& c = run.configs[i];
    const ScalingPoint& p = scale.points[i];
    Row row;
    row[RunColumn] = label;
    row[ConfigColumn] = QString::fromStdString(bench::config_label(c.degrees));
    row[WorldColumn] = static_cast<double>(c.world);
    row[StepMedianColumn] = c.step_ms.median;
    row[StepP25Column] = c.step_ms.p25;
    row[StepP75Column] = c.step_ms.p75;
    row[ImagesPerSecondColumn] = c.images_per_s;
    row[SpeedupColumn] = p.speedup;
    row[EfficiencyColumn] = p.efficiency * 100.0;
    row[AttentionColumn] = c.shares.attention * 100.0;
    row[AllToAllColumn] = c.shares.all_to_all * 100.0;
    row[RingP2pColumn] = c.shares.ring_p2p * 100.0;
    row[OtherColumn] = c.shares.other * 100.0;
    row[PeakMemoryColumn] = peak_mib(c);
    row[StartupColumn] = c.startup_ms;
    row[DevicesColumn] = devices_text(c.devices);
    rows.push_back(std::move(row));
  }
  const int first = firstRowOf(slot);
  beginInsertRows({}, first, first + static_cast<int>(rows.size()) - 1);
  rows_[static_cast<std::size_t>(slot)] = std::move(rows);
  endInsertRows();
}

void ResultsTableModel::clearRun(int slot) {
  if (slot < 0 || slot >= kSlots) return;
  std::vector<Row>& rows = rows_[static_cast<std::size_t>(slot)];
  if (rows.empty()) return;
  const int first = firstRowOf(slot);
  beginRemoveRows({}, first, first + static_cast<int>(rows.size()) - 1);
  rows.clear();
  endRemoveRows();
}

void ResultsTableModel::clear() {
  for (int slot = kSlots - 1; slot >= 0; --slot)
    clearRun(slot);
}

QString ResultsTableModel::toCsv() const {
  QStringList header;
  for (const ColumnInfo& column : kColumns)
    header << csv_field(QString::fromUtf8(column.title));
  QString csv = header.join(',') + QStringLiteral("\r\n");
  for (int r = 0; r < rowCount(); ++r) {
    QStringList fields;
    for (int c = 0; c < ColumnCount; ++c) {
      const QVariant& value = rowAt(r)[static_cast<std::size_t>(c)];
      if (kColumns[c].decimals < 0 && c != WorldColumn) {
        fields << csv_field(value.toString());
      } else {
        const double number = value.toDouble();
        // QString::number always writes the C locale ('.'); 17 digits read back exactly.
        fields << (std::isnan(number) ? QString() : QString::number(number, 'g', 17));
      }
    }
    csv += fields.join(',') + QStringLiteral("\r\n");
  }
  return csv;
}

}  // namespace spstudio::ui
