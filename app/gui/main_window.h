// SPDX-License-Identifier: Apache-2.0
// The SP Studio window: parameters on the left (model, parallel configuration, generation), the
// centre's tabs — the live stitched preview with progress, the plan editor, the timeline and the
// configuration comparison (Workbench) — the gallery on the right, queue / workers / log below.
// All work goes through GenerationController and Workbench; the window only shows and forwards.
// Widgets carry objectNames so tests can find them.
#pragma once

#include <QMainWindow>
#include <QString>

#include "app/gui/generation_controller.h"
#include "app/gui/model_describer.h"
#include "app/gui/workbench.h"
#include "app/session/replay_pool.h"

class QAction;
class QLabel;
class QListView;
class QProgressBar;
class QPushButton;
class QPlainTextEdit;
class QTableView;
class QFrame;
class QCheckBox;
class QTimer;
class QTabWidget;

namespace spstudio::ui {
class GenerationPanel;
class ModelPicker;
class ParallelConfigPanel;
class PreviewView;
}  // namespace spstudio::ui

namespace spstudio::gui {

struct MainWindowOptions {
  app::PoolOptions pool;  ///< worker program, threads, timeouts (world and device come from the form)
  QString replay_path;    ///< non-empty: play this recording instead of starting workers
  double replay_speed = 1.0;
  QString model;                 ///< non-empty: start with this model instead of the remembered one
  bool restore_settings = true;  ///< false: start from defaults (tests); settings are still saved
};

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(const MainWindowOptions& options, QWidget* parent = nullptr);
  ~MainWindow() override;

  GenerationController* controller() const { return controller_; }
  Workbench* workbench() const { return workbench_; }
  /// The centre's tabs: Generate, Plan, Timeline, Compare (objectName "centralTabs").
  QTabWidget* tabs() const { return tabs_; }
  /// Everything the form says, as one value.
  ui::GenerationParams params() const;
  void setParams(const ui::GenerationParams& params);

  /// Queues one generation from the form (the Generate action); false when the form is invalid.
  bool generate();
  void recall(int gallery_row);
  /// Saves the gallery row as PNG with its metadata; false with a status message on failure.
  bool saveImage(int gallery_row, const QString& path);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildActions();
  void buildDocks();
  QWidget* buildCentre();
  QWidget* buildGenerateTab();
  void connectController();
  void restoreSettings();
  void saveSettings() const;
  void describeModel();
  int selectedGalleryRow() const;
  void showGalleryItem(int row);
  void updateTitle();
  void appendLog(const QString& line);

  MainWindowOptions options_;
  SessionHost* host_;
  GenerationController* controller_;
  Workbench* workbench_;
  ModelDescriber* describer_;
  QTimer* warm_up_;

  ui::ModelPicker* model_picker_ = nullptr;
  ui::ParallelConfigPanel* parallel_ = nullptr;
  ui::GenerationPanel* generation_ = nullptr;
  ui::PreviewView* preview_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* progress_text_ = nullptr;
  QCheckBox* outlines_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  QFrame* banner_ = nullptr;
  QLabel* banner_text_ = nullptr;
  QListView* gallery_view_ = nullptr;
  QLabel* gallery_details_ = nullptr;
  QListView* queue_view_ = nullptr;
  QTableView* workers_view_ = nullptr;
  QPlainTextEdit* log_ = nullptr;

  QAction* generate_ = nullptr;
  QAction* cancel_now_ = nullptr;
  QAction* cancel_after_image_ = nullptr;
  QAction* cancel_pending_ = nullptr;
  QAction* restart_ = nullptr;
  QAction* save_ = nullptr;
  QAction* compare_ = nullptr;
  QAction* recall_ = nullptr;
};

}  // namespace spstudio::gui
