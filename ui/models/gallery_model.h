// SPDX-License-Identifier: Apache-2.0
// The session's gallery: every finished image with the parameters that made it (one-click recall),
// the applied plan, timings, where it was saved, and its difference against a single-rank reference
// once computed. Lives on the GUI thread; the images arrive already converted (QImage).
#pragma once

#include <QAbstractListModel>
#include <QDateTime>
#include <QImage>
#include <QString>
#include <QStringList>
#include <QVector>
#include <optional>

#include "common/image_diff.h"
#include "common/wire/messages.h"
#include "ui/generation_params.h"

namespace spstudio::ui {

/// The comparison of a gallery image with the same seed rendered by one rank (UX.md).
struct ReferenceDiff {
  ImageDifference image;                 ///< uint8 RGB: PSNR, max |Δ|, mean |Δ|
  std::optional<double> latent_max_abs;  ///< final latents, when both sides have them
  std::optional<double> latent_max_ref;  ///< max |reference latent|, to read the above relative to
};

struct GalleryItem {
  quint64 job_id = 0;
  int image_index = 0;
  GenerationParams params;   ///< as queued, with `seed` the seed of this very image
  QImage image;              ///< full resolution, RGB888
  wire::TensorData latents;  ///< final latents (may be empty)
  QString plan_json;         ///< the plan the workers applied (empty: unknown)
  QStringList devices;       ///< per rank
  QVector<double> step_ms;   ///< rank 0's
  double encode_ms = 0, decode_ms = 0;
  QDateTime finished_at;
  QString saved_path;  ///< empty until saved
  std::optional<ReferenceDiff> diff;
  QString diff_error;  ///< the reference run failed: why
};

class GalleryModel : public QAbstractListModel {
  Q_OBJECT
 public:
  enum Role {
    JobIdRole = Qt::UserRole + 1,  ///< quint64
    SeedRole,                      ///< quint64
    ParamsRole,                    ///< QJsonObject (to_json of the params)
    ParallelRole,                  ///< QString "U2×R1"
    DiffTextRole,                  ///< QString "PSNR 48.1 dB · max |Δ| 2" or "" / the error
    SavedPathRole,                 ///< QString
  };
  static constexpr int kThumbnailSize = 128;  ///< longest side of the DecorationRole image

  explicit GalleryModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  /// DisplayRole "seed 42 · U2×R1 · 1.23 s"; DecorationRole a QImage thumbnail; ToolTipRole the
  /// prompt and parameters; plus the roles above.
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QHash<int, QByteArray> roleNames() const override;

  /// Appends (the newest last); returns its row.
  int append(GalleryItem item);
  const GalleryItem& at(int row) const;  ///< throws std::out_of_range naming the row
  /// The row of a job's image (a reference diff arrives by job and image); -1 when gone.
  int rowOf(quint64 job_id, int image_index) const;
  /// The setters and remove() ignore a row that does not exist (it may have been removed).
  void setSavedPath(int row, const QString& path);
  void setDiff(int row, const ReferenceDiff& diff);
  void setDiffError(int row, const QString& error);
  void remove(int row);
  void clear();

 signals:
  /// Emitted after append (tests and the window scroll to it).
  void itemAdded(int row);

 private:
  struct Entry {
    GalleryItem item;
    QImage thumbnail;
  };
  QVector<Entry> entries_;
};

/// "PSNR 48.13 dB · max |Δ| 2 · latents max |Δ| 3.1e-05"; "identical (PSNR ∞)" when equal.
QString describe_diff(const ReferenceDiff& diff);

}  // namespace spstudio::ui
