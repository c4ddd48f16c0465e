// SPDX-License-Identifier: Apache-2.0
// ComparisonView's exports: the results table as CSV and the four plots as PNG or PDF files, each
// written so that a reader sees a complete file or none (a failed export leaves no half file).
#include <qcustomplot.h>

#include <QBuffer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryFile>
#include <exception>
#include <filesystem>
#include <system_error>

#include "common/atomic_file.h"
#include "ui/comparison/comparison_view.h"
#include "ui/comparison/results_table_model.h"

namespace spstudio::ui {
namespace {

// Exports have one size whatever the window's: plots for a report look the same every time.
constexpr int kExportWidth = 1000;
constexpr int kExportHeight = 620;

std::filesystem::path fs_path(const QString& path) {
  return std::filesystem::path(QFile::encodeName(path).toStdString());
}

QString write_png(QCustomPlot* plot, const QString& path) {
  QByteArray bytes;
  QBuffer buffer(&bytes);
  buffer.open(QIODevice::WriteOnly);
  if (!plot->toPixmap(kExportWidth, kExportHeight).save(&buffer, "PNG"))
    return QObject::tr("cannot write '%1': PNG encoding failed").arg(path);
  write_file_atomically(fs_path(path), bytes.constData(), static_cast<std::size_t>(bytes.size()));
  return {};
}

QString write_pdf(QCustomPlot* plot, const QString& path) {
  // QCustomPlot prints to a file name: print beside the target, then rename over it.
  QTemporaryFile partial(path + QStringLiteral(".XXXXXX.partial"));
  if (!partial.open()) return QObject::tr("cannot write '%1': %2").arg(path, partial.errorString());
  partial.close();
  // An ordinary user file, as the PNGs (QTemporaryFile creates it 0600).
  partial.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                         QFileDevice::ReadOther);
  if (!plot->savePdf(partial.fileName(), kExportWidth, kExportHeight))
    return QObject::tr("cannot write '%1': PDF printing failed").arg(path);
  std::error_code error;
  std::filesystem::rename(fs_path(partial.fileName()), fs_path(path), error);
  if (error) return QObject::tr("cannot write '%1': %2").arg(path, QString::fromStdString(error.message()));
  partial.setAutoRemove(false);  // renamed away: nothing left to remove
  return {};
}

}  // namespace

QString ComparisonView::exportCsv(const QString& path) const {
  const QByteArray csv = results_->toCsv().toUtf8();
  try {
    write_file_atomically(fs_path(path), csv.constData(), static_cast<std::size_t>(csv.size()));
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

QString ComparisonView::exportPlots(const QString& path_base, const QString& format) const {
  const QString suffix = format.toLower();
  if (suffix != QLatin1String("png") && suffix != QLatin1String("pdf"))
    return tr("cannot export plots as '%1': the formats are png and pdf").arg(format);
  const std::pair<QCustomPlot*, const char*> plots[] = {{step_plot_, "step-breakdown"},
                                                        {speedup_plot_, "speedup"},
                                                        {heatmap_plot_, "throughput-heatmap"},
                                                        {memory_plot_, "memory"}};
  for (const auto& [plot, name] : plots) {
    const QString path = QStringLiteral("%1-%2.%3").arg(path_base, QString::fromLatin1(name), suffix);
    try {
      const QString error = suffix == QLatin1String("png") ? write_png(plot, path) : write_pdf(plot, path);
      if (!error.isEmpty()) return error;
    } catch (const std::exception& e) {
      return QString::fromStdString(e.what());
    }
  }
  return {};
}

}  // namespace spstudio::ui
