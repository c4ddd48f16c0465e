// SPDX-License-Identifier: Apache-2.0
// QueueModel: the queued, running and finished generations with their progress.
#include "ui/models/queue_model.h"

#include <QBrush>
#include <QGuiApplication>
#include <QPalette>
#include <algorithm>
#include <stdexcept>
#include <string>

namespace spstudio::ui {
namespace {

const QString kDot = QString(" %1 ").arg(QChar(0x00B7));  // " · "

bool is_finished(QueueState state) {
  return state == QueueState::Done || state == QueueState::Cancelled || state == QueueState::Failed;
}

/// Until the first progress report the item's own step count is unknown: the snapshot has it.
int steps_of(const QueueItem& item) {
  return item.steps > 0 ? item.steps : item.params.steps;
}

QString state_text(const QueueItem& item) {
  switch (item.state) {
    case QueueState::Queued:
    case QueueState::Done:
      return queue_state_name(item.state);
    case QueueState::Running: {
      QString text = QString("running %1/%2").arg(item.step).arg(steps_of(item));
      if (item.params.images > 1) text += QString(" (image %1/%2)").arg(item.image_index + 1).arg(item.params.images);
      return text;
    }
    case QueueState::Cancelled:
    case QueueState::Failed:
      return item.error.isEmpty() ? queue_state_name(item.state) : queue_state_name(item.state) + ": " + item.error;
  }
  return {};
}

double progress(const QueueItem& item) {
  if (item.state == QueueState::Queued) return 0.0;
  if (item.state == QueueState::Done) return 1.0;
  // Running, or where a cancelled / failed item stopped.
  const double steps = std::max(1, steps_of(item));
  const double images = std::max(1, item.params.images);
  const double fraction = (item.images_done * steps + item.step) / (images * steps);
  return std::clamp(fraction, 0.0, 1.0);
}

}  // namespace

QString queue_state_name(QueueState state) {
  switch (state) {
    case QueueState::Queued:
      return "queued";
    case QueueState::Running:
      return "running";
    case QueueState::Done:
      return "done";
    case QueueState::Cancelled:
      return "cancelled";
    case QueueState::Failed:
      return "failed";
  }
  return "unknown";
}

QueueModel::QueueModel(QObject* parent) : QAbstractListModel(parent) {}

int QueueModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(items_.size());
}

QVariant QueueModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const QueueItem& item = items_[index.row()];
  switch (role) {
    case Qt::DisplayRole:
      return QString("#%1").arg(item.job_id) + kDot + QString("seed %1").arg(item.params.seed) + kDot +
             item.params.parallel_label() + kDot + QString("%1 steps").arg(item.params.steps) + kDot + state_text(item);
    case Qt::ToolTipRole: {
      QString text = item.params.prompt.isEmpty() ? QString("(no prompt)") : item.params.prompt;
      if (!item.error.isEmpty()) text += "\n" + item.error;
      return text;
    }
    case Qt::ForegroundRole:
      if (is_finished(item.state)) return QBrush(QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text));
      return {};
    case JobIdRole:
      return QVariant::fromValue(item.job_id);
    case StateRole:
      return static_cast<int>(item.state);
    case ProgressRole:
      return progress(item);
    default:
      return {};
  }
}

QHash<int, QByteArray> QueueModel::roleNames() const {
  QHash<int, QByteArray> names = QAbstractListModel::roleNames();
  names[JobIdRole] = "jobId";
  names[StateRole] = "state";
  names[ProgressRole] = "progress";
  return names;
}

void QueueModel::append(const QueueItem& item) {
  if (rowOf(item.job_id) >= 0)
    throw std::invalid_argument("QueueModel::append: job #" + std::to_string(item.job_id) + " is already queued");
  const int row = static_cast<int>(items_.size());
  beginInsertRows({}, row, row);
  items_.push_back(item);
  endInsertRows();
}

int QueueModel::rowOf(quint64 job_id) const {
  for (int row = 0; row < items_.size(); ++row)
    if (items_[row].job_id == job_id) return row;
  return -1;
}

const QueueItem& QueueModel::at(int row) const {
  if (row < 0 || row >= items_.size())
    throw std::out_of_range("QueueModel::at: row " + std::to_string(row) + " of " + std::to_string(items_.size()));
  return items_[row];
}

bool QueueModel::setRunning(quint64 job_id) {
  const int row = rowOf(job_id);
  if (row < 0) return false;
  items_[row].state = QueueState::Running;
  const QModelIndex changed = index(row);
  emit dataChanged(changed, changed, {Qt::DisplayRole, Qt::ForegroundRole, StateRole, ProgressRole});
  return true;
}

bool QueueModel::setProgress(quint64 job_id, int image_index, int step, int steps) {
  const int row = rowOf(job_id);
  if (row < 0) return false;
  QueueItem& item = items_[row];
  // A late report must not bring a finished item back to life.
  if (is_finished(item.state)) return true;
  item.state = QueueState::Running;  // a report can overtake the job's start
  item.image_index = image_index;
  item.step = step;
  item.steps = steps;
  const QModelIndex changed = index(row);
  emit dataChanged(changed, changed, {Qt::DisplayRole, Qt::ForegroundRole, StateRole, ProgressRole});
  return true;
}

bool QueueModel::setImageDone(quint64 job_id, int images_done) {
  const int row = rowOf(job_id);
  if (row < 0) return false;
  QueueItem& item = items_[row];
  item.images_done = images_done;
  // The finished image's steps now count through images_done; the next image starts at step 0.
  item.step = 0;
  item.image_index = std::min(images_done, std::max(0, item.params.images - 1));
  const QModelIndex changed = index(row);
  emit dataChanged(changed, changed, {Qt::DisplayRole, ProgressRole});
  return true;
}

bool QueueModel::setFinished(quint64 job_id, QueueState state, const QString& error) {
  if (!is_finished(state))
    throw std::invalid_argument("QueueModel::setFinished: \"" + queue_state_name(state).toStdString() +
                                "\" is not a finished state");
  const int row = rowOf(job_id);
  if (row < 0) return false;
  items_[row].state = state;
  items_[row].error = error;
  const QModelIndex changed = index(row);
  emit dataChanged(changed, changed, {Qt::DisplayRole, Qt::ToolTipRole, Qt::ForegroundRole, StateRole, ProgressRole});
  return true;
}

void QueueModel::removeFinished() {
  // From the end, one contiguous run at a time, so that the row numbers still ahead stay valid.
  int row = static_cast<int>(items_.size()) - 1;
  while (row >= 0) {
    if (!is_finished(items_[row].state)) {
      --row;
      continue;
    }
    const int last = row;
    while (row > 0 && is_finished(items_[row - 1].state))
      --row;
    beginRemoveRows({}, row, last);
    items_.remove(row, last - row + 1);
    endRemoveRows();
    --row;
  }
}

int QueueModel::pendingCount() const {
  return static_cast<int>(
      std::count_if(items_.begin(), items_.end(), [](const QueueItem& item) { return !is_finished(item.state); }));
}

}  // namespace spstudio::ui
