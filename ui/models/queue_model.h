// SPDX-License-Identifier: Apache-2.0
// The generation queue: each item snapshots its parameters when it is queued (editing the form
// afterwards changes nothing queued), then follows its job: queued → running (image i, step n/N)
// → done / cancelled / failed. Finished items stay listed until cleared.
#pragma once

#include <QAbstractListModel>
#include <QString>
#include <QVector>

#include "ui/generation_params.h"

namespace spstudio::ui {

enum class QueueState { Queued, Running, Done, Cancelled, Failed };
QString queue_state_name(QueueState state);  ///< "queued", "running", "done", "cancelled", "failed"

struct QueueItem {
  quint64 job_id = 0;
  GenerationParams params;  ///< the snapshot; params.seed is the job's first seed
  QueueState state = QueueState::Queued;
  int image_index = 0;  ///< the image in progress (0-based)
  int step = 0, steps = 0;
  int images_done = 0;
  QString error;  ///< Failed / Cancelled: why
};

class QueueModel : public QAbstractListModel {
  Q_OBJECT
 public:
  enum Role {
    JobIdRole = Qt::UserRole + 1,  ///< quint64
    StateRole,                     ///< int (QueueState)
    ProgressRole,                  ///< double 0..1 over all images of the item
  };

  explicit QueueModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  /// DisplayRole "#3 · seed 42 · U2×R1 · 8 steps · running 3/8 (image 1/2)"; ToolTipRole the prompt
  /// and the error; ForegroundRole greys finished items.
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QHash<int, QByteArray> roleNames() const override;

  void append(const QueueItem& item);
  /// -1 when unknown.
  int rowOf(quint64 job_id) const;
  const QueueItem& at(int row) const;
  /// The following return false (and change nothing) for an unknown job id.
  bool setRunning(quint64 job_id);
  bool setProgress(quint64 job_id, int image_index, int step, int steps);
  bool setImageDone(quint64 job_id, int images_done);
  bool setFinished(quint64 job_id, QueueState state, const QString& error = {});
  /// Removes every Done / Cancelled / Failed item.
  void removeFinished();
  int pendingCount() const;  ///< Queued + Running

 private:
  QVector<QueueItem> items_;
};

}  // namespace spstudio::ui
