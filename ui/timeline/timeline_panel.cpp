// SPDX-License-Identifier: Apache-2.0
// TimelinePanel: wiring of the view, the statistics table, the toolbar and trace files.
#include "ui/timeline/timeline_panel.h"

#include <QAction>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>
#include <stdexcept>

#include "common/atomic_file.h"
#include "common/profiling/chrome_trace_import.h"
#include "ui/timeline/statistics_model.h"
#include "ui/timeline/timeline_view.h"

namespace spstudio::ui {

using profiling::NamedRange;

namespace {

std::filesystem::path native_path(const QString& path) {
  return std::filesystem::path(QFile::encodeName(path).toStdString());
}

QString trace_filter() {
  return QObject::tr("Chrome / Perfetto traces (*.json);;All files (*)");
}

}  // namespace

TimelinePanel::TimelinePanel(QWidget* parent)
    : QWidget(parent),
      title_(new QLabel(this)),
      selection_label_(new QLabel(this)),
      view_(new TimelineView(this)),
      statistics_(new StatisticsModel(this)),
      sorted_(new QSortFilterProxyModel(this)),
      table_(new QTableView(this)) {
  setObjectName(QStringLiteral("timelinePanel"));
  title_->setObjectName(QStringLiteral("timelineTitle"));
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  QFont bold = title_->font();
  bold.setBold(true);
  title_->setFont(bold);
  selection_label_->setObjectName(QStringLiteral("timelineSelection"));

  auto* toolbar = new QToolBar(this);
  toolbar->setObjectName(QStringLiteral("timelineToolBar"));
  QAction* import_action = toolbar->addAction(tr("Import trace\u2026"), this, &TimelinePanel::importFromDialog);
  import_action->setObjectName(QStringLiteral("importTraceAction"));
  import_action->setToolTip(tr("Open a Chrome / Perfetto trace JSON (ours or any \"X\" / \"B\"-\"E\" events)"));
  QAction* export_action = toolbar->addAction(tr("Export trace\u2026"), this, &TimelinePanel::exportFromDialog);
  export_action->setObjectName(QStringLiteral("exportTraceAction"));
  export_action->setToolTip(tr("Save these ranges as Chrome trace JSON (chrome://tracing, ui.perfetto.dev)"));
  QAction* fit_action = toolbar->addAction(tr("Fit"), view_, &TimelineView::fit);
  fit_action->setObjectName(QStringLiteral("fitAction"));
  fit_action->setToolTip(tr("Show all the data (or double-click the timeline)"));

  auto* header = new QHBoxLayout;
  header->addWidget(title_);
  header->addWidget(selection_label_, 1);
  header->addWidget(toolbar);

  view_->setToolTip(QString());  // tooltips come per range from the view
  auto* scroll = new QScrollArea(this);
  scroll->setObjectName(QStringLiteral("timelineScroll"));
  scroll->setWidget(view_);
  scroll->setWidgetResizable(true);  // the width follows the panel; rows scroll vertically
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

  sorted_->setSourceModel(statistics_);
  sorted_->setSortRole(StatisticsModel::SortRole);
  table_->setObjectName(QStringLiteral("timelineStats"));
  table_->setModel(sorted_);
  table_->setSortingEnabled(true);
  table_->sortByColumn(StatisticsModel::TotalColumn, Qt::DescendingOrder);
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->setObjectName(QStringLiteral("timelineSplitter"));
  splitter->addWidget(scroll);
  splitter->addWidget(table_);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 2);
  splitter->setSizes({600, 250});  // rescaled to the panel's height: the timeline gets the most

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(header);
  layout->addWidget(splitter, 1);

  connect(view_, &TimelineView::selectionChanged, this, [this](qint64 begin_ns, qint64 end_ns) {
    showSelection(begin_ns, end_ns);
    emit selectionChanged(begin_ns, end_ns);
  });
  setRanges({}, tr("No timeline"));
}

void TimelinePanel::setRanges(std::vector<NamedRange> ranges, const QString& title) {
  title_->setText(title);
  view_->setRanges(std::move(ranges));  // emits selectionChanged: the statistics follow
  emit rangesChanged();
}

const std::vector<NamedRange>& TimelinePanel::ranges() const {
  return view_->ranges();
}

QString TimelinePanel::title() const {
  return title_->text();
}

QString TimelinePanel::exportTrace(const QString& path) const {
  if (ranges().empty()) return tr("Nothing to export to '%1': the timeline is empty").arg(path);
  try {
    const std::string json = profiling::chrome_trace_json(ranges());
    write_file_atomically(native_path(path), json.data(), json.size());
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());  // "cannot write '<path>': <step>: <reason>"
  }
  return {};
}

QString TimelinePanel::importTrace(const QString& path) {
  std::vector<NamedRange> ranges;
  try {
    const std::string text = profiling::read_trace_file(native_path(path));  // its errors name the file
    try {
      ranges = profiling::ranges_from_chrome_trace(text);
    } catch (const std::exception& e) {
      return tr("Cannot import '%1': %2").arg(path, QString::fromStdString(e.what()));
    }
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  }
  if (ranges.empty()) {
    return tr("Cannot import '%1': it holds no ranges (only \"X\" and \"B\"/\"E\" events are shown)").arg(path);
  }
  setRanges(std::move(ranges), QFileInfo(path).fileName());
  return {};
}

void TimelinePanel::setSelection(qint64 begin_ns, qint64 end_ns) {
  view_->setSelection(begin_ns, end_ns);
}

void TimelinePanel::showSelection(qint64 begin_ns, qint64 end_ns) {
  statistics_->setStatistics(range_statistics(ranges(), begin_ns, end_ns));
  if (ranges().empty()) {
    selection_label_->clear();
    return;
  }
  const qint64 origin = view_->axis().extentBegin();
  const bool all = begin_ns == origin && end_ns == view_->axis().extentEnd();
  const QString span = QString::fromStdString(format_duration(end_ns - begin_ns));
  selection_label_->setText(
      all ? tr("all %1").arg(span)
          : tr("selection %1 from %2").arg(span, QString::fromStdString(format_duration(begin_ns - origin))));
}

void TimelinePanel::importFromDialog() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Import trace"), QString(), trace_filter());
  if (path.isEmpty()) return;
  const QString error = importTrace(path);
  if (!error.isEmpty()) QMessageBox::warning(this, tr("Import trace"), error);
}

void TimelinePanel::exportFromDialog() {
  const QString path =
      QFileDialog::getSaveFileName(this, tr("Export trace"), QStringLiteral("trace.json"), trace_filter());
  if (path.isEmpty()) return;
  const QString error = exportTrace(path);
  if (!error.isEmpty()) QMessageBox::warning(this, tr("Export trace"), error);
}

}  // namespace spstudio::ui
