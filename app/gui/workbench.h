// SPDX-License-Identifier: Apache-2.0
// The window's analysis tabs and what they need from the workers: the plan editor (its manifest
// from `spworker --describe` at the editor's resolution, its dry run on fresh CPU workers), the
// timeline (the ranges of the last finished job) and the comparison (sweeps run through the
// session host with bench semantics). The widgets live in ui/; this file only connects them.
#pragma once

#include <QObject>
#include <QString>
#include <functional>

#include "app/gui/model_describer.h"
#include "app/gui/session_host.h"
#include "ui/generation_params.h"

class QTabWidget;
class QWidget;

namespace spstudio::ui {
class ComparisonView;
class PlanEditor;
class TimelinePanel;
struct SweepRequest;
}  // namespace spstudio::ui

namespace spstudio::gui {

class Workbench : public QObject {
  Q_OBJECT
 public:
  /// `params` reads the window's form (model, prompt, device, …) when a dry run or a sweep starts;
  /// `plan_json` the form's plan (empty: the shipped one), which sweeps run with, as `bench --plan`.
  Workbench(SessionHost* host, const app::PoolOptions& pool_template, std::function<ui::GenerationParams()> params,
            std::function<QString()> plan_json, QObject* parent = nullptr);

  /// The three tabs, for the window's central tab widget.
  QWidget* planTab() const { return plan_tab_; }
  ui::PlanEditor* planEditor() const { return plan_editor_; }
  ui::TimelinePanel* timeline() const { return timeline_; }
  ui::ComparisonView* comparison() const { return comparison_; }

  void setWorkerProgram(const QString& program);
  /// Describes `model` for the plan editor at the editor's resolution (asynchronously).
  void setModel(const QString& model);

 signals:
  /// "Use for generation": the editor's plan was saved to `path` for the form to use.
  void planChosen(QString path);
  void statusMessage(QString text);

 private:
  QWidget* buildPlanTab();
  void startDryRun(const QString& plan_json, const ParallelConfig& degrees, int height, int width);
  void startSweep(const ui::SweepRequest& request);
  void showJobRanges(const app::JobResult& result);
  void usePlanForGeneration();
  /// The pool and job a dry run or a sweep starts from: the form's model, prompt and device.
  app::SweepOptions sweepTemplate(const QString& device) const;

  SessionHost* host_;
  app::PoolOptions pool_template_;
  std::function<ui::GenerationParams()> params_;
  std::function<QString()> plan_json_;
  ModelDescriber describer_;
  QString model_;
  QWidget* plan_tab_ = nullptr;
  ui::PlanEditor* plan_editor_ = nullptr;
  ui::TimelinePanel* timeline_ = nullptr;
  ui::ComparisonView* comparison_ = nullptr;
};

}  // namespace spstudio::gui
