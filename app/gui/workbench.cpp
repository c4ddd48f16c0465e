// SPDX-License-Identifier: Apache-2.0
#include "app/gui/workbench.h"

#include <QDir>
#include <QHBoxLayout>
#include <QPushButton>
#include <QSet>
#include <QStandardPaths>
#include <QTime>
#include <QVBoxLayout>

#include "ui/comparison/comparison_view.h"
#include "ui/plan/plan_editor.h"
#include "ui/timeline/timeline_panel.h"

namespace spstudio::gui {

Workbench::Workbench(SessionHost* host, const app::PoolOptions& pool_template,
                     std::function<ui::GenerationParams()> params, std::function<QString()> plan_json, QObject* parent)
    : QObject(parent),
      host_(host),
      pool_template_(pool_template),
      params_(std::move(params)),
      plan_json_(std::move(plan_json)) {
  plan_tab_ = buildPlanTab();
  timeline_ = new ui::TimelinePanel;
  comparison_ = new ui::ComparisonView;

  connect(&describer_, &ModelDescriber::described, this, [this](const QString& model, const ModelManifest& manifest) {
    if (model == model_) plan_editor_->setManifest(manifest);
  });
  connect(&describer_, &ModelDescriber::failed, this,
          [this](const QString&, const QString& error) { emit statusMessage("plan editor: " + error); });
  connect(plan_editor_, &ui::PlanEditor::resolutionChanged, this, [this](int height, int width) {
    if (!model_.isEmpty()) describer_.describe(model_, height, width);
  });
  connect(plan_editor_, &ui::PlanEditor::dryRunRequested, this, &Workbench::startDryRun);
  connect(host_, &SessionHost::dryRunFinished, plan_editor_, &ui::PlanEditor::showDryRunResult);

  connect(host_, &SessionHost::jobFinished, this, &Workbench::showJobRanges);

  connect(comparison_, &ui::ComparisonView::sweepRequested, this, &Workbench::startSweep);
  connect(host_, &SessionHost::sweepProgressed, comparison_, &ui::ComparisonView::showSweepProgress);
  connect(host_, &SessionHost::sweepFinished, comparison_, &ui::ComparisonView::showSweepFinished);
  connect(host_, &SessionHost::sweepFailed, comparison_, &ui::ComparisonView::showSweepFailed);
}

QWidget* Workbench::buildPlanTab() {
  auto* tab = new QWidget;
  auto* layout = new QVBoxLayout(tab);
  layout->setContentsMargins(0, 0, 0, 0);
  plan_editor_ = new ui::PlanEditor;
  layout->addWidget(plan_editor_, 1);
  auto* row = new QHBoxLayout;
  auto* use = new QPushButton("Use this plan for generation");
  use->setObjectName("usePlanButton");
  use->setToolTip("Save the edited plan next to SP Studio's settings and select it in the Parallel panel");
  connect(use, &QPushButton::clicked, this, &Workbench::usePlanForGeneration);
  row->addStretch(1);
  row->addWidget(use);
  layout->addLayout(row);
  return tab;
}

void Workbench::setWorkerProgram(const QString& program) {
  describer_.setWorkerProgram(program);
  pool_template_.worker_program = program;
}

void Workbench::setModel(const QString& model) {
  if (model == model_) return;
  model_ = model;
  describer_.describe(model, plan_editor_->planHeight(), plan_editor_->planWidth());
}

app::SweepOptions Workbench::sweepTemplate(const QString& device) const {
  const ui::GenerationParams params = params_();
  app::SweepOptions options;
  options.pool = pool_template_;
  options.pool.device = device;
  options.pool.recording_path.clear();
  options.job = ui::to_job(params, "");
  options.job.preview_interval = 0;
  return options;
}

void Workbench::startDryRun(const QString& plan_json, const ParallelConfig& degrees, int height, int width) {
  // On CPU whatever the form says: the dry run checks the plan, and CPU workers are always there.
  app::SweepOptions options = sweepTemplate("cpu");
  options.job.model = model_.toStdString();
  options.job.plan_json = plan_json.toStdString();
  options.job.height = static_cast<std::uint32_t>(height);
  options.job.width = static_cast<std::uint32_t>(width);
  options.job.steps = 1;
  options.configs = {degrees};
  options.warmup = 0;
  options.repeat = 1;
  host_->dryRun(options);
}

void Workbench::startSweep(const ui::SweepRequest& request) {
  app::SweepOptions options = sweepTemplate(params_().device);
  options.job.plan_json = plan_json_().toStdString();
  options.job.height = static_cast<std::uint32_t>(request.height);
  options.job.width = static_cast<std::uint32_t>(request.width);
  options.job.steps = static_cast<std::uint32_t>(request.steps);
  options.configs = request.configs;
  options.warmup = request.warmup;
  options.repeat = request.repeat;
  host_->runSweep(options);
}

void Workbench::showJobRanges(const app::JobResult& result) {
  if (result.ranges.empty()) return;
  QSet<int> ranks;
  for (const auto& range : result.ranges)
    ranks.insert(range.rank);
  const QString title = QString("job #%1 · %2 rank%3 · %4 image%5 · finished %6")
                            .arg(result.job_id)
                            .arg(ranks.size())
                            .arg(ranks.size() == 1 ? "" : "s")
                            .arg(result.images.size())
                            .arg(result.images.size() == 1 ? "" : "s")
                            .arg(QTime::currentTime().toString("HH:mm:ss"));
  timeline_->setRanges(result.ranges, title);
}

void Workbench::usePlanForGeneration() {
  const QString folder = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/plans";
  QDir().mkpath(folder);
  const QString model_class = QString::fromStdString(plan_editor_->plan().model);
  const QString path = folder + "/" + (model_class.isEmpty() ? QString("plan") : model_class) + "-edited.json";
  const QString error = plan_editor_->savePlanFile(path);
  if (!error.isEmpty()) {
    emit statusMessage(error);
    return;
  }
  emit planChosen(path);
  emit statusMessage("the Parallel panel now uses " + path);
}

}  // namespace spstudio::gui
