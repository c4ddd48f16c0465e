// SPDX-License-Identifier: Apache-2.0
#include "app/gui/main_window.h"

#include <algorithm>

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QFileDialog>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include "app/gui/png_export.h"
#include "ui/comparison/comparison_view.h"
#include "ui/panels/generation_panel.h"
#include "ui/panels/model_picker.h"
#include "ui/panels/parallel_config_panel.h"
#include "ui/preview/preview_view.h"
#include "ui/timeline/timeline_panel.h"

namespace spstudio::gui {
namespace {

constexpr int kSettingsVersion = 1;  ///< bump when the dock layout changes incompatibly

QWidget* titled(const QString& title, QWidget* content) {
  auto* box = new QWidget;
  auto* layout = new QVBoxLayout(box);
  layout->setContentsMargins(0, 0, 0, 6);
  auto* label = new QLabel("<b>" + title + "</b>");
  layout->addWidget(label);
  layout->addWidget(content);
  return box;
}

}  // namespace

MainWindow::MainWindow(const MainWindowOptions& options, QWidget* parent)
    : QMainWindow(parent),
      options_(options),
      host_(new SessionHost(this)),
      controller_(new GenerationController(host_, this)),
      workbench_(new Workbench(
          host_, options.pool, [this] { return params(); }, [this] { return parallel_->planJson(); }, this)),
      describer_(new ModelDescriber(this)),
      warm_up_(new QTimer(this)) {
  setObjectName("mainWindow");
  setDockNestingEnabled(true);
  controller_->setPoolTemplate(options.pool);
  QString worker = options.pool.worker_program;
  if (worker.isEmpty()) worker = qEnvironmentVariable("SPSTUDIO_WORKER");
  if (worker.isEmpty()) worker = QCoreApplication::applicationDirPath() + "/spworker";
  describer_->setWorkerProgram(worker);
  workbench_->setWorkerProgram(worker);

  setCentralWidget(buildCentre());
  buildDocks();
  buildActions();
  connectController();
  if (options_.restore_settings) restoreSettings();
  if (!options_.model.isEmpty()) model_picker_->setCurrentModel(options_.model);
  updateTitle();

  if (!options_.replay_path.isEmpty()) {
    host_->startReplay(app::ReplayOptions{options_.replay_path, options_.replay_speed});
    statusBar()->showMessage("playing back " + options_.replay_path + ": Generate replays the recorded jobs");
  } else {
    controller_->warmUp(params());
    describeModel();
  }
}

MainWindow::~MainWindow() = default;

QWidget* MainWindow::buildCentre() {
  auto* centre = new QWidget;
  auto* layout = new QVBoxLayout(centre);

  banner_ = new QFrame;
  banner_->setObjectName("failureBanner");
  banner_->setFrameShape(QFrame::StyledPanel);
  banner_->setStyleSheet("#failureBanner { background: #5c1f1f; border: 1px solid #d55e00; } QLabel { color: white; }");
  auto* banner_layout = new QHBoxLayout(banner_);
  banner_text_ = new QLabel;
  banner_text_->setObjectName("failureText");
  banner_text_->setWordWrap(true);
  banner_text_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* restart = new QPushButton("Restart workers");
  restart->setObjectName("bannerRestart");
  auto* dismiss = new QToolButton;
  dismiss->setText("✕");
  dismiss->setToolTip("Hide this message");
  connect(restart, &QPushButton::clicked, controller_, &GenerationController::restartWorkers);
  connect(dismiss, &QToolButton::clicked, banner_, &QWidget::hide);
  banner_layout->addWidget(banner_text_, 1);
  banner_layout->addWidget(restart);
  banner_layout->addWidget(dismiss);
  banner_->hide();
  layout->addWidget(banner_);

  tabs_ = new QTabWidget;
  tabs_->setObjectName("centralTabs");
  tabs_->setDocumentMode(true);
  tabs_->addTab(buildGenerateTab(), "Generate");
  tabs_->addTab(workbench_->planTab(), "Plan");
  tabs_->addTab(workbench_->timeline(), "Timeline");
  tabs_->addTab(workbench_->comparison(), "Compare");
  tabs_->setTabToolTip(1, "Edit the sequence-parallel plan against the model's module tree, with live validation");
  tabs_->setTabToolTip(2, "Every rank's profiling ranges of the last finished job on one clock");
  tabs_->setTabToolTip(3, "Sweep U × R configurations and compare their step time, speed-up and memory");
  layout->addWidget(tabs_, 1);
  return centre;
}

QWidget* MainWindow::buildGenerateTab() {
  auto* tab = new QWidget;
  auto* layout = new QVBoxLayout(tab);
  layout->setContentsMargins(0, 0, 0, 0);
  preview_ = new ui::PreviewView;
  preview_->setObjectName("preview");
  preview_->setPlaceholderText(
      "Type a prompt and press Generate (Ctrl+Enter).\nThe image forms here, stitched from "
      "the tiles each rank computes.");
  layout->addWidget(preview_, 1);

  auto* row = new QHBoxLayout;
  progress_ = new QProgressBar;
  progress_->setObjectName("progress");
  progress_->setRange(0, 1000);
  progress_->setTextVisible(false);
  progress_text_ = new QLabel("idle");
  progress_text_->setObjectName("progressText");
  progress_text_->setMinimumWidth(220);
  outlines_ = new QCheckBox("Rank outlines");
  outlines_->setObjectName("outlines");
  outlines_->setChecked(true);
  outlines_->setToolTip("Outline the region each rank computed, in the rank's colour");
  connect(outlines_, &QCheckBox::toggled, preview_, &ui::PreviewView::setShowRankOutlines);
  row->addWidget(progress_, 1);
  row->addWidget(progress_text_);
  row->addWidget(outlines_);
  layout->addLayout(row);
  return tab;
}

void MainWindow::buildDocks() {
  // ---- left: what to generate ----
  auto* form = new QWidget;
  auto* form_layout = new QVBoxLayout(form);
  model_picker_ = new ui::ModelPicker;
  model_picker_->setBuiltinModels({ui::kDefaultModel});
  model_picker_->setCurrentModel(ui::kDefaultModel);
  parallel_ = new ui::ParallelConfigPanel;
  generation_ = new ui::GenerationPanel;
  form_layout->addWidget(titled("Model", model_picker_));
  form_layout->addWidget(titled("Parallel configuration", parallel_));
  form_layout->addWidget(titled("Generation", generation_));
  auto* generate = new QPushButton("Generate");
  generate->setObjectName("generateButton");
  generate->setToolTip("Queue a generation with these parameters (Ctrl+Enter)");
  generate->setDefault(true);
  connect(generate, &QPushButton::clicked, this, &MainWindow::generate);
  auto* cancel = new QToolButton;
  cancel->setObjectName("cancelButton");
  cancel->setText("Cancel");
  cancel->setPopupMode(QToolButton::MenuButtonPopup);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(generate, 1);
  buttons->addWidget(cancel);
  form_layout->addLayout(buttons);
  form_layout->addStretch(1);
  auto* scroll = new QScrollArea;
  scroll->setWidget(form);
  scroll->setWidgetResizable(true);
  auto* form_dock = new QDockWidget("Generate", this);
  form_dock->setObjectName("generateDock");
  form_dock->setWidget(scroll);
  addDockWidget(Qt::LeftDockWidgetArea, form_dock);

  // ---- right: the gallery ----
  auto* gallery = new QWidget;
  auto* gallery_layout = new QVBoxLayout(gallery);
  gallery_view_ = new QListView;
  gallery_view_->setObjectName("gallery");
  gallery_view_->setModel(controller_->gallery());
  gallery_view_->setViewMode(QListView::IconMode);
  gallery_view_->setIconSize(QSize(ui::GalleryModel::kThumbnailSize, ui::GalleryModel::kThumbnailSize));
  gallery_view_->setResizeMode(QListView::Adjust);
  gallery_view_->setWordWrap(true);
  gallery_view_->setSelectionMode(QAbstractItemView::SingleSelection);
  gallery_details_ = new QLabel("Finished images appear here. Double-click one to recall its parameters.");
  gallery_details_->setObjectName("galleryDetails");
  gallery_details_->setWordWrap(true);
  gallery_details_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* gallery_buttons = new QHBoxLayout;
  for (const char* name : {"recallButton", "saveButton", "compareButton"}) {
    auto* b = new QToolButton;
    b->setObjectName(name);
    gallery_buttons->addWidget(b);
  }
  gallery_buttons->addStretch(1);
  gallery_layout->addWidget(gallery_view_, 1);
  gallery_layout->addLayout(gallery_buttons);
  gallery_layout->addWidget(gallery_details_);
  auto* gallery_dock = new QDockWidget("Gallery", this);
  gallery_dock->setObjectName("galleryDock");
  gallery_dock->setWidget(gallery);
  addDockWidget(Qt::RightDockWidgetArea, gallery_dock);

  // ---- bottom: queue, workers, log ----
  queue_view_ = new QListView;
  queue_view_->setObjectName("queue");
  queue_view_->setModel(controller_->queue());
  auto* queue = new QWidget;
  auto* queue_layout = new QVBoxLayout(queue);
  auto* clear = new QPushButton("Clear finished");
  clear->setObjectName("clearFinished");
  connect(clear, &QPushButton::clicked, controller_->queue(), &ui::QueueModel::removeFinished);
  queue_layout->addWidget(queue_view_, 1);
  queue_layout->addWidget(clear, 0, Qt::AlignRight);
  auto* queue_dock = new QDockWidget("Queue", this);
  queue_dock->setObjectName("queueDock");
  queue_dock->setWidget(queue);
  addDockWidget(Qt::BottomDockWidgetArea, queue_dock);

  workers_view_ = new QTableView;
  workers_view_->setObjectName("workers");
  workers_view_->setModel(controller_->workers());
  workers_view_->verticalHeader()->hide();
  workers_view_->horizontalHeader()->setStretchLastSection(true);
  workers_view_->setSelectionMode(QAbstractItemView::NoSelection);
  auto* workers_dock = new QDockWidget("Workers", this);
  workers_dock->setObjectName("workersDock");
  workers_dock->setWidget(workers_view_);
  addDockWidget(Qt::BottomDockWidgetArea, workers_dock);

  log_ = new QPlainTextEdit;
  log_->setObjectName("log");
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(2000);
  auto* log_dock = new QDockWidget("Log", this);
  log_dock->setObjectName("logDock");
  log_dock->setWidget(log_);
  addDockWidget(Qt::BottomDockWidgetArea, log_dock);
  tabifyDockWidget(workers_dock, log_dock);
  workers_dock->raise();
}

void MainWindow::buildActions() {
  auto action = [this](const QString& text, const QKeySequence& key, const QString& tip, auto slot) {
    auto* a = new QAction(text, this);
    a->setShortcut(key);
    a->setShortcutContext(Qt::WindowShortcut);
    a->setToolTip(tip + (key.isEmpty() ? QString() : " (" + key.toString(QKeySequence::NativeText) + ")"));
    connect(a, &QAction::triggered, this, slot);
    addAction(a);
    return a;
  };
  generate_ =
      action("&Generate", QKeySequence(Qt::CTRL | Qt::Key_Return), "Queue a generation", [this] { generate(); });
  generate_->setObjectName("actionGenerate");
  cancel_now_ = action("Cancel &now", QKeySequence(Qt::Key_Escape), "Stop at the next step and drop the queue",
                       [this] { controller_->cancel(wire::CancelMode::Now); });
  cancel_now_->setObjectName("actionCancelNow");
  cancel_after_image_ = action("&Finish this image, skip the rest", QKeySequence(Qt::SHIFT | Qt::Key_Escape),
                               "Finish the image in progress, then stop and drop the queue",
                               [this] { controller_->cancel(wire::CancelMode::AfterImage); });
  cancel_after_image_->setObjectName("actionCancelAfterImage");
  cancel_pending_ = action("Cancel &pending", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X),
                           "Drop the queued items; the running one goes on",
                           [this] { controller_->cancel(wire::CancelMode::Pending); });
  cancel_pending_->setObjectName("actionCancelPending");
  restart_ = action("&Restart workers", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R),
                    "Start the worker processes again", [this] { controller_->restartWorkers(); });
  restart_->setObjectName("actionRestart");
  save_ = action("&Save image…", QKeySequence::Save, "Save the selected image as PNG with its parameters", [this] {
    const int row = selectedGalleryRow();
    if (row < 0) return;
    const QString path = QFileDialog::getSaveFileName(
        this, "Save image", default_file_name(controller_->gallery()->at(row)), "PNG images (*.png)");
    if (!path.isEmpty()) saveImage(row, path);
  });
  recall_ = action("&Recall parameters", QKeySequence(Qt::CTRL | Qt::Key_E),
                   "Put the selected image's parameters in the form", [this] { recall(selectedGalleryRow()); });
  compare_ = action("&Compare with one rank", QKeySequence(Qt::CTRL | Qt::Key_D),
                    "Render the same seed with a single rank and show PSNR / max |Δ|",
                    [this] { controller_->compareWithReference(selectedGalleryRow()); });
  auto* recall_png =
      action("Recall from &PNG…", QKeySequence::Open, "Read the parameters a SP Studio PNG was made with", [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, "Recall parameters from a PNG", {}, "PNG images (*.png)");
        if (path.isEmpty()) return;
        try {
          ui::GenerationParams p = params_from_png(path);
          p.seed_mode = ui::SeedMode::Fixed;
          setParams(p);
          statusBar()->showMessage("parameters recalled from " + path);
        } catch (const std::exception& e) {
          QMessageBox::warning(this, "Recall from PNG", e.what());
        }
      });
  auto* open_recording =
      action("Play a &recording…", {}, "Replay a recorded worker stream (no workers needed)", [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, "Play a recording", {}, "Recordings (*.sprec);;All files (*)");
        if (path.isEmpty()) return;
        options_.replay_path = path;
        host_->startReplay(app::ReplayOptions{path, options_.replay_speed});
        updateTitle();
      });
  auto* quit = action("&Quit", QKeySequence::Quit, "Stop the workers and close", [this] { close(); });
  auto* outlines = new QAction("Rank &outlines", this);
  outlines->setCheckable(true);
  outlines->setChecked(true);
  outlines->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
  connect(outlines, &QAction::toggled, outlines_, &QCheckBox::setChecked);
  connect(outlines_, &QCheckBox::toggled, outlines, &QAction::setChecked);
  addAction(outlines);

  auto* file = menuBar()->addMenu("&File");
  file->addActions({save_, recall_png, open_recording});
  file->addSeparator();
  file->addAction(quit);
  auto* run = menuBar()->addMenu("&Generate");
  run->addActions({generate_, cancel_now_, cancel_after_image_, cancel_pending_});
  run->addSeparator();
  run->addAction(restart_);
  auto* gallery = menuBar()->addMenu("G&allery");
  gallery->addActions({recall_, save_, compare_});
  auto* view = menuBar()->addMenu("&View");
  // Alt+1..4: the centre's tabs (Ctrl+D, Ctrl+E … are taken by the gallery).
  for (int i = 0; i < tabs_->count(); ++i) {
    auto* show_tab = view->addAction(tabs_->tabText(i));
    show_tab->setShortcut(QKeySequence(Qt::ALT | static_cast<Qt::Key>(Qt::Key_1 + i)));
    connect(show_tab, &QAction::triggered, tabs_, [this, i] { tabs_->setCurrentIndex(i); });
  }
  view->addSeparator();
  view->addAction(outlines);
  view->addSeparator();
  for (QDockWidget* dock : findChildren<QDockWidget*>())
    view->addAction(dock->toggleViewAction());

  auto* cancel_button = findChild<QToolButton*>("cancelButton");
  auto* cancel_menu = new QMenu(cancel_button);
  cancel_menu->addActions({cancel_now_, cancel_after_image_, cancel_pending_});
  cancel_button->setMenu(cancel_menu);
  cancel_button->setDefaultAction(cancel_now_);
  cancel_button->setText("Cancel");
  findChild<QToolButton*>("recallButton")->setDefaultAction(recall_);
  findChild<QToolButton*>("saveButton")->setDefaultAction(save_);
  findChild<QToolButton*>("compareButton")->setDefaultAction(compare_);

  auto* toolbar = addToolBar("Generate");
  toolbar->setObjectName("mainToolBar");
  toolbar->addActions({generate_, cancel_now_, cancel_after_image_, cancel_pending_, restart_});
}

void MainWindow::connectController() {
  connect(controller_, &GenerationController::previewChanged, this,
          [this](const QImage& image, const QVector<ui::RankTile>& tiles, bool final) {
            if (final)
              preview_->setFinalImage(image);
            else
              preview_->setPreview(image, tiles);
          });
  connect(controller_, &GenerationController::progressChanged, this, [this](const Progress& p) {
    progress_->setValue(p.running ? int(p.fraction() * 1000) : (p.steps > 0 && p.step == p.steps ? 1000 : 0));
    QString text = p.running ? p.text() : QString("idle");
    if (p.queued_steps > 0) text += " · queue ETA " + format_duration(p.queue_eta_seconds());
    progress_text_->setText(text);
  });
  connect(controller_, &GenerationController::failureChanged, this, [this](const QString& text) {
    banner_text_->setText(text);
    // A word-wrapped label in a layout does not grow by itself: make room for every line.
    const int lines = std::min(8, int(text.count('\n')) + 1);
    banner_text_->setMinimumHeight(banner_text_->fontMetrics().lineSpacing() * lines + 4);
    banner_->setVisible(!text.isEmpty());
    if (!text.isEmpty()) appendLog("failure: " + text);
  });
  connect(controller_, &GenerationController::statusMessage, this,
          [this](const QString& text) { statusBar()->showMessage(text, 8000); });
  connect(controller_, &GenerationController::logLine, this, &MainWindow::appendLog);
  connect(controller_->gallery(), &ui::GalleryModel::itemAdded, this,
          [this](int row) { gallery_view_->setCurrentIndex(controller_->gallery()->index(row)); });
  connect(controller_->gallery(), &QAbstractItemModel::dataChanged, this, [this](const QModelIndex& from) {
    if (from.row() == selectedGalleryRow()) showGalleryItem(from.row());
  });
  connect(gallery_view_->selectionModel(), &QItemSelectionModel::currentChanged, this,
          [this](const QModelIndex& current) { showGalleryItem(current.row()); });
  connect(gallery_view_, &QListView::doubleClicked, this, [this](const QModelIndex& index) { recall(index.row()); });
  connect(model_picker_, &ui::ModelPicker::modelChanged, this, [this] {
    describeModel();
    updateTitle();
  });
  connect(parallel_, &ui::ParallelConfigPanel::configChanged, this, [this] {
    updateTitle();
    warm_up_->start();
  });
  // A new rank count or device brings up its workers in the background (after the spin box
  // settles), so Generate starts at once; a running item is not disturbed.
  warm_up_->setSingleShot(true);
  warm_up_->setInterval(600);
  connect(warm_up_, &QTimer::timeout, this, [this] {
    if (options_.replay_path.isEmpty() && !controller_->busy()) controller_->warmUp(params());
  });
  connect(describer_, &ModelDescriber::described, this, [this](const QString& model, const ModelManifest& manifest) {
    if (model == model_picker_->currentModel()) parallel_->setManifest(manifest);
  });
  connect(workbench_, &Workbench::statusMessage, this, [this](const QString& text) {
    appendLog(text);
    statusBar()->showMessage(text, 10000);
  });
  connect(workbench_, &Workbench::planChosen, this, [this](const QString& path) {
    ui::GenerationParams p = params();
    p.plan_path = path;
    parallel_->setParams(p);
  });
  connect(describer_, &ModelDescriber::failed, this, [this](const QString&, const QString& error) {
    appendLog(error);
    statusBar()->showMessage(error, 10000);
  });
}

ui::GenerationParams MainWindow::params() const {
  ui::GenerationParams p;
  p.model = model_picker_->currentModel();
  parallel_->fillParams(p);
  generation_->fillParams(p);
  return p;
}

void MainWindow::setParams(const ui::GenerationParams& p) {
  model_picker_->setCurrentModel(p.model);
  parallel_->setParams(p);
  generation_->setParams(p);
  updateTitle();
}

bool MainWindow::generate() {
  if (parallel_->hasErrors()) {
    statusBar()->showMessage("the plan does not validate for these degrees: " + parallel_->validationText(), 10000);
    return false;
  }
  const ui::GenerationParams p = params();
  const quint64 id = controller_->enqueue(p, parallel_->planJson());
  const int row = controller_->queue()->rowOf(id);
  const quint64 job_seed = controller_->queue()->at(row).params.seed;
  generation_->setSeed(ui::seed_after_job(p.seed_mode, job_seed, p.images));
  statusBar()->showMessage(QString("queued #%1 · seed %2 · %3").arg(id).arg(job_seed).arg(p.parallel_label()), 5000);
  return true;
}

void MainWindow::recall(int row) {
  if (row < 0 || row >= controller_->gallery()->rowCount()) return;
  ui::GenerationParams p = controller_->gallery()->at(row).params;
  p.images = 1;
  p.seed_mode = ui::SeedMode::Fixed;  // Generate now reproduces this very image
  setParams(p);
  statusBar()->showMessage(QString("recalled the parameters of seed %1 (seed mode set to fixed)").arg(p.seed), 8000);
}

bool MainWindow::saveImage(int row, const QString& path) {
  if (row < 0 || row >= controller_->gallery()->rowCount()) return false;
  try {
    save_gallery_png(controller_->gallery()->at(row), path);
  } catch (const std::exception& e) {
    statusBar()->showMessage(QString("not saved: ") + e.what(), 15000);
    appendLog(QString("save failed: ") + e.what());
    return false;
  }
  controller_->gallery()->setSavedPath(row, path);
  statusBar()->showMessage("saved " + path, 8000);
  return true;
}

int MainWindow::selectedGalleryRow() const {
  const QModelIndex current = gallery_view_->currentIndex();
  return current.isValid() ? current.row() : -1;
}

void MainWindow::showGalleryItem(int row) {
  if (row < 0 || row >= controller_->gallery()->rowCount()) return;
  // The tooltip already says everything: parameters, devices, time, the diff, where it was saved.
  gallery_details_->setText(controller_->gallery()->index(row).data(Qt::ToolTipRole).toString());
  if (!controller_->busy()) preview_->setFinalImage(controller_->gallery()->at(row).image);
}

void MainWindow::describeModel() {
  if (!options_.replay_path.isEmpty()) return;
  const ui::GenerationParams p = params();
  parallel_->setManifest(std::nullopt);
  describer_->describe(p.model, p.height, p.width);
  workbench_->setModel(p.model);
}

void MainWindow::updateTitle() {
  const ui::GenerationParams p = params();
  QString title = "SP Studio — " + p.model + " · " + p.parallel_label();
  if (!options_.replay_path.isEmpty()) title += " · replay of " + options_.replay_path;
  setWindowTitle(title);
}

void MainWindow::appendLog(const QString& line) {
  log_->appendPlainText(QDateTime::currentDateTime().toString("HH:mm:ss ") + line);
}

void MainWindow::restoreSettings() {
  QSettings settings;
  if (settings.value("version").toInt() != kSettingsVersion) return;
  restoreGeometry(settings.value("window/geometry").toByteArray());
  restoreState(settings.value("window/state").toByteArray(), kSettingsVersion);
  model_picker_->setRecentFolders(settings.value("models/recent").toStringList());
  outlines_->setChecked(settings.value("preview/outlines", true).toBool());
  tabs_->setCurrentIndex(settings.value("window/tab", 0).toInt());
  try {
    setParams(ui::params_from_json(QJsonDocument::fromJson(settings.value("params").toByteArray()).object()));
  } catch (const std::exception& e) {
    appendLog(QString("the saved parameters were not restored: ") + e.what());
  }
}

void MainWindow::saveSettings() const {
  QSettings settings;
  settings.setValue("version", kSettingsVersion);
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState(kSettingsVersion));
  settings.setValue("models/recent", model_picker_->recentFolders());
  settings.setValue("preview/outlines", outlines_->isChecked());
  settings.setValue("window/tab", tabs_->currentIndex());
  settings.setValue("params", QJsonDocument(ui::to_json(params())).toJson(QJsonDocument::Compact));
}

void MainWindow::closeEvent(QCloseEvent* event) {
  saveSettings();
  event->accept();
}

}  // namespace spstudio::gui
