// SPDX-License-Identifier: Apache-2.0
// GalleryModel: the finished images of the session, their labels, tooltips and reference diffs.
#include "ui/models/gallery_model.h"

#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace spstudio::ui {
namespace {

const QString kDot = QString(" %1 ").arg(QChar(0x00B7));  // " · "
const QChar kInfinity(0x221E);                            // ∞
const QChar kDelta(0x0394);                               // Δ
const QChar kTimes(0x00D7);                               // ×

double total_seconds(const GalleryItem& item) {
  const double step_ms = std::accumulate(item.step_ms.begin(), item.step_ms.end(), 0.0);
  return (step_ms + item.encode_ms + item.decode_ms) / 1000.0;
}

QString diff_text(const GalleryItem& item) {
  if (item.diff) return describe_diff(*item.diff);
  if (!item.diff_error.isEmpty()) return "reference failed: " + item.diff_error;
  return {};
}

QString tooltip(const GalleryItem& item) {
  const GenerationParams& p = item.params;
  QStringList lines;
  lines << (p.prompt.isEmpty() ? QString("(no prompt)") : p.prompt);
  if (!p.negative_prompt.isEmpty()) lines << "negative: " + p.negative_prompt;
  lines << QString("%1%2%3").arg(p.width).arg(kTimes).arg(p.height) + kDot + QString("%1 steps").arg(p.steps) + kDot +
               QString("guidance %1").arg(p.guidance) + kDot + QString("true CFG %1").arg(p.true_cfg_scale);
  lines << QString("seed %1").arg(p.seed) + kDot + p.parallel_label() + kDot + p.model;
  if (!item.devices.isEmpty()) lines << "devices: " + item.devices.join(", ");
  lines << QString("time %1 s").arg(total_seconds(item), 0, 'f', 2);
  if (const QString diff = diff_text(item); !diff.isEmpty()) lines << diff;
  if (!item.saved_path.isEmpty()) lines << "saved to " + item.saved_path;
  return lines.join('\n');
}

}  // namespace

QString describe_diff(const ReferenceDiff& diff) {
  const bool latents_equal = !diff.latent_max_abs || *diff.latent_max_abs == 0.0;
  if (std::isinf(diff.image.psnr_db) && latents_equal) return QString("identical (PSNR %1)").arg(kInfinity);
  const QString psnr = std::isinf(diff.image.psnr_db) ? QString("PSNR %1").arg(kInfinity)
                                                      : QString("PSNR %1 dB").arg(diff.image.psnr_db, 0, 'f', 2);
  QString text = psnr + kDot + QString("max |%1| %2").arg(kDelta).arg(diff.image.max_abs);
  if (diff.latent_max_abs)
    text += kDot + QString("latents max |%1| %2").arg(kDelta).arg(QString::number(*diff.latent_max_abs, 'g', 2));
  return text;
}

GalleryModel::GalleryModel(QObject* parent) : QAbstractListModel(parent) {}

int GalleryModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(entries_.size());
}

QVariant GalleryModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const Entry& entry = entries_[index.row()];
  const GalleryItem& item = entry.item;
  switch (role) {
    case Qt::DisplayRole:
      return QString("seed %1").arg(item.params.seed) + kDot + item.params.parallel_label() + kDot +
             QString("%1 s").arg(total_seconds(item), 0, 'f', 2);
    case Qt::DecorationRole:
      return entry.thumbnail;
    case Qt::ToolTipRole:
      return tooltip(item);
    case JobIdRole:
      return QVariant::fromValue(item.job_id);
    case SeedRole:
      return QVariant::fromValue(item.params.seed);
    case ParamsRole:
      return to_json(item.params);
    case ParallelRole:
      return item.params.parallel_label();
    case DiffTextRole:
      return diff_text(item);
    case SavedPathRole:
      return item.saved_path;
    default:
      return {};
  }
}

QHash<int, QByteArray> GalleryModel::roleNames() const {
  QHash<int, QByteArray> names = QAbstractListModel::roleNames();
  names[JobIdRole] = "jobId";
  names[SeedRole] = "seed";
  names[ParamsRole] = "params";
  names[ParallelRole] = "parallel";
  names[DiffTextRole] = "diffText";
  names[SavedPathRole] = "savedPath";
  return names;
}

int GalleryModel::append(GalleryItem item) {
  // Scaled once here: the view repaints thumbnails far more often than images arrive.
  QImage thumbnail;
  if (!item.image.isNull())
    thumbnail = item.image.scaled(kThumbnailSize, kThumbnailSize, Qt::KeepAspectRatio, Qt::SmoothTransformation);
  const int row = static_cast<int>(entries_.size());
  beginInsertRows({}, row, row);
  entries_.push_back(Entry{std::move(item), std::move(thumbnail)});
  endInsertRows();
  emit itemAdded(row);
  return row;
}

const GalleryItem& GalleryModel::at(int row) const {
  if (row < 0 || row >= entries_.size())
    throw std::out_of_range("GalleryModel::at: row " + std::to_string(row) + " of " + std::to_string(entries_.size()));
  return entries_[row].item;
}

int GalleryModel::rowOf(quint64 job_id, int image_index) const {
  for (int row = 0; row < entries_.size(); ++row)
    if (entries_[row].item.job_id == job_id && entries_[row].item.image_index == image_index) return row;
  return -1;
}

// The setters ignore a row that is gone: a reference run can finish after its image was removed.
void GalleryModel::setSavedPath(int row, const QString& path) {
  if (row < 0 || row >= entries_.size()) return;
  entries_[row].item.saved_path = path;
  const QModelIndex changed = index(row);
  emit dataChanged(changed, changed, {SavedPathRole, Qt::ToolTipRole});
}

void GalleryModel::setDiff(int row, const ReferenceDiff& diff) {
  if (row < 0 || row >= entries_.size()) return;
  entries_[row].item.diff = diff;
  entries_[row].item.diff_error.clear();
  const QModelIndex changed = index(row);
  emit dataChanged(changed, changed, {DiffTextRole, Qt::ToolTipRole});
}

void GalleryModel::setDiffError(int row, const QString& error) {
  if (row < 0 || row >= entries_.size()) return;
  entries_[row].item.diff.reset();
  entries_[row].item.diff_error = error;
  const QModelIndex changed = index(row);
  emit dataChanged(changed, changed, {DiffTextRole, Qt::ToolTipRole});
}

void GalleryModel::remove(int row) {
  if (row < 0 || row >= entries_.size()) return;
  beginRemoveRows({}, row, row);
  entries_.removeAt(row);
  endRemoveRows();
}

void GalleryModel::clear() {
  beginResetModel();
  entries_.clear();
  endResetModel();
}

}  // namespace spstudio::ui
