// SPDX-License-Identifier: Apache-2.0
// The parallel configuration panel: ranks, the Ulysses degrees that work for them and the model's
// heads, the ring degree that follows, the device, and an optional plan file checked live.
#include "ui/panels/parallel_config_panel.h"

#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <algorithm>
#include <cstdlib>
#include <exception>

#include "common/issues.h"
#include "common/parallel_config.h"
#include "common/plan_json.h"
#include "common/plan_validation.h"

namespace spstudio::ui {
namespace {

constexpr int kDefaultMaxRanks = 8;

void collect_heads(const ModuleNode& node, std::vector<int>& heads) {
  if (node.attention && !node.attention->skip_sequence_parallel) {
    heads.push_back(node.attention->heads);
    heads.push_back(node.attention->kv_heads);
  }
  for (const ModuleNode& child : node.children)
    collect_heads(child, heads);
}

QString ulysses_tooltip(int ranks, const std::vector<int>& heads) {
  QString tip = QObject::tr(
      "Ulysses degree U: all-to-all over heads; must divide the head count and the rank count.\n"
      "The ring degree R = ranks / U passes key/value blocks around a ring.");
  QStringList refused;
  for (int u = 1; u <= ranks; ++u) {
    const QString why = ulysses_refusal(ranks, u, heads);
    if (!why.isEmpty()) refused << QStringLiteral("U=%1: %2").arg(u).arg(why);
  }
  if (!refused.isEmpty())
    tip += QStringLiteral("\n\n") + QObject::tr("Not offered:") + QStringLiteral("\n") + refused.join('\n');
  return tip;
}

QString issue_html(const QString& line, bool error) {
  return QStringLiteral("<div style=\"color:%1\">%2</div>")
      .arg(error ? QStringLiteral("#c62828") : QStringLiteral("#b26a00"), line.toHtmlEscaped());
}

}  // namespace

std::vector<int> valid_ulysses_degrees(int ranks, const std::vector<int>& heads) {
  std::vector<int> degrees;
  for (int u = 1; u <= ranks; ++u) {
    if (ranks % u != 0) continue;
    // A non-positive count means "not known": it constrains nothing.
    if (std::all_of(heads.begin(), heads.end(), [u](int h) { return h <= 0 || h % u == 0; })) degrees.push_back(u);
  }
  return degrees;
}

std::vector<int> attention_heads(const ModuleNode& root) {
  std::vector<int> heads;
  collect_heads(root, heads);
  std::sort(heads.begin(), heads.end());
  heads.erase(std::unique(heads.begin(), heads.end()), heads.end());
  return heads;
}

QString ulysses_refusal(int ranks, int ulysses, const std::vector<int>& heads) {
  if (ulysses < 1) return QObject::tr("U=%1 is not a degree: U is at least 1").arg(ulysses);
  if (ranks % ulysses != 0) {
    return ranks == 1 ? QObject::tr("1 rank is not divisible by U=%1").arg(ulysses)
                      : QObject::tr("%1 ranks are not divisible by U=%2").arg(ranks).arg(ulysses);
  }
  for (int h : heads) {
    if (h > 0 && h % ulysses != 0) {
      return h == 1 ? QObject::tr("the attention has 1 head, not divisible by U=%1").arg(ulysses)
                    : QObject::tr("the attention has %1 heads, not divisible by U=%2").arg(h).arg(ulysses);
    }
  }
  return {};
}

ParallelConfigPanel::ParallelConfigPanel(QWidget* parent)
    : QWidget(parent),
      ranks_(new QSpinBox(this)),
      ulysses_(new QComboBox(this)),
      ring_(new QLabel(this)),
      device_(new QComboBox(this)),
      plan_path_(new QLineEdit(this)),
      validation_(new QLabel(this)) {
  ranks_->setObjectName(QStringLiteral("ranks"));
  ranks_->setRange(1, kDefaultMaxRanks);
  ranks_->setToolTip(tr("Worker processes, one per device; ranks = U × R"));
  ulysses_->setObjectName(QStringLiteral("ulysses"));
  ring_->setObjectName(QStringLiteral("ring"));
  ring_->setToolTip(tr("Ring degree R = ranks / U: key/value blocks passed around a ring of ranks"));
  device_->setObjectName(QStringLiteral("device"));
  device_->setToolTip(tr("Where the workers run: auto picks CUDA when every rank has a GPU, else CPU"));
  for (const char* device : {"auto", "cpu", "cuda"})
    device_->addItem(QString::fromLatin1(device), QString::fromLatin1(device));
  plan_path_->setObjectName(QStringLiteral("planPath"));
  plan_path_->setReadOnly(true);
  plan_path_->setPlaceholderText(tr("shipped plan"));
  plan_path_->setToolTip(tr("The sequence-parallel plan file; empty: the model family's shipped plan"));
  auto* browse = new QPushButton(tr("Browse…"), this);
  browse->setObjectName(QStringLiteral("planBrowse"));
  browse->setToolTip(tr("Open a plan file (spstudio-plan/1 JSON)"));
  auto* clear = new QPushButton(tr("Clear"), this);
  clear->setObjectName(QStringLiteral("planClear"));
  clear->setToolTip(tr("Use the model family's shipped plan"));
  clear->setEnabled(false);
  validation_->setObjectName(QStringLiteral("planValidation"));
  validation_->setWordWrap(true);
  validation_->setTextFormat(Qt::RichText);
  validation_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  validation_->setToolTip(tr("The plan checked against the model for the chosen degrees"));

  auto* plan_row = new QHBoxLayout;
  plan_row->setContentsMargins(0, 0, 0, 0);
  plan_row->addWidget(plan_path_, 1);
  plan_row->addWidget(browse);
  plan_row->addWidget(clear);
  auto* form = new QFormLayout(this);
  const auto add_row = [this, form](const QString& text, QWidget* field) {
    auto* label = new QLabel(text, this);
    label->setBuddy(field);
    label->setToolTip(field->toolTip());
    form->addRow(label, field);
  };
  add_row(tr("&Ranks"), ranks_);
  add_row(tr("&Ulysses (U)"), ulysses_);
  add_row(tr("Ring (R)"), ring_);
  add_row(tr("&Device"), device_);
  auto* plan_label = new QLabel(tr("&Plan"), this);
  plan_label->setBuddy(browse);
  plan_label->setToolTip(plan_path_->toolTip());
  form->addRow(plan_label, plan_row);
  form->addRow(validation_);

  connect(ranks_, qOverload<int>(&QSpinBox::valueChanged), this, [this] { refillUlysses(ulyssesDegree()); });
  connect(ulysses_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
    ring_->setText(QStringLiteral("R=%1").arg(ringDegree()));
    revalidate();
    emit configChanged();
  });
  connect(device_, qOverload<int>(&QComboBox::currentIndexChanged), this, &ParallelConfigPanel::configChanged);
  connect(browse, &QPushButton::clicked, this, &ParallelConfigPanel::browsePlan);
  connect(clear, &QPushButton::clicked, this, [this] {
    plan_path_->clear();
    revalidate();
    emit configChanged();
  });
  connect(plan_path_, &QLineEdit::textChanged, clear, [this, clear](const QString& path) {
    clear->setEnabled(!path.isEmpty());
    plan_path_->setToolTip(
        path.isEmpty() ? tr("The sequence-parallel plan file; empty: the model family's shipped plan") : path);
  });

  refillUlysses(1);
}

void ParallelConfigPanel::setMaxRanks(int max_ranks) {
  ranks_->setMaximum(std::max(1, max_ranks));  // a lower maximum clamps the value: valueChanged refills U
}

void ParallelConfigPanel::setManifest(const std::optional<ModelManifest>& manifest) {
  manifest_ = manifest;
  refillUlysses(ulyssesDegree());
}

void ParallelConfigPanel::setParams(const GenerationParams& params) {
  {
    const QSignalBlocker block_ranks(ranks_);
    const QSignalBlocker block_device(device_);
    ranks_->setValue(std::clamp(params.world(), 1, ranks_->maximum()));
    const int device = device_->findData(params.device);
    device_->setCurrentIndex(device < 0 ? 0 : device);
    plan_path_->setText(params.plan_path);
  }
  refillUlysses(params.ulysses_degree);  // revalidates and emits configChanged
}

void ParallelConfigPanel::fillParams(GenerationParams& params) const {
  params.ulysses_degree = ulyssesDegree();
  params.ring_degree = ringDegree();
  params.device = device_->currentData().toString();
  params.plan_path = plan_path_->text();
}

int ParallelConfigPanel::ranks() const {
  return ranks_->value();
}

int ParallelConfigPanel::ulyssesDegree() const {
  bool ok = false;
  const int u = ulysses_->currentData().toInt(&ok);
  return ok && u > 0 ? u : 1;
}

int ParallelConfigPanel::ringDegree() const {
  return ranks() / ulyssesDegree();
}

QString ParallelConfigPanel::validationText() const {
  return validation_text_;
}

bool ParallelConfigPanel::hasErrors() const {
  return has_errors_;
}

QString ParallelConfigPanel::planJson() const {
  return plan_json_;
}

void ParallelConfigPanel::refillUlysses(int prefer) {
  const int ranks = ranks_->value();
  const std::vector<int> heads = manifest_ ? attention_heads(manifest_->root) : std::vector<int>{};
  const std::vector<int> degrees = valid_ulysses_degrees(ranks, heads);  // never empty: 1 divides all
  // The nearest valid degree; on a tie the smaller one (less communication).
  int chosen = degrees.front();
  for (int u : degrees)
    if (std::abs(u - prefer) < std::abs(chosen - prefer)) chosen = u;
  {
    const QSignalBlocker blocker(ulysses_);
    ulysses_->clear();
    for (int u : degrees)
      ulysses_->addItem(QStringLiteral("U=%1").arg(u), u);
    ulysses_->setCurrentIndex(ulysses_->findData(chosen));
  }
  ulysses_->setToolTip(ulysses_tooltip(ranks, heads));
  ring_->setText(QStringLiteral("R=%1").arg(ringDegree()));
  revalidate();
  emit configChanged();
}

void ParallelConfigPanel::revalidate() {
  has_errors_ = false;
  plan_json_.clear();
  validation_text_.clear();
  const QString path = plan_path_->text();
  if (path.isEmpty()) {
    validation_->setText(QStringLiteral("<span style=\"color:gray\">%1</span>").arg(tr("shipped plan")));
    return;
  }

  std::vector<ValidationIssue> issues;
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    issues.push_back({Severity::Error,
                      std::nullopt,
                      "",
                      std::nullopt,
                      tr("cannot read %1: %2").arg(path, file.errorString()).toStdString(),
                      {}});
  } else {
    plan_json_ = QString::fromUtf8(file.readAll());
    try {
      const SequenceParallelPlan plan = plan_from_json(plan_json_.toStdString());
      if (manifest_) {
        PlanValidationOptions options;
        options.config = {ulyssesDegree(), ringDegree()};
        options.world_size = ranks();
        issues = validate_plan(plan, &manifest_->root, options);
      }
    } catch (const PlanError& e) {
      issues = e.issues();
    } catch (const std::exception& e) {
      issues.push_back({Severity::Error, std::nullopt, "", std::nullopt, e.what(), {}});
    }
  }

  QStringList lines, html;
  for (const ValidationIssue& issue : issues) {
    const QString line = QString::fromStdString(issue.to_string());
    lines << line;
    html << issue_html(line, issue.severity == Severity::Error);
  }
  has_errors_ = has_errors(issues);
  validation_text_ = lines.join('\n');
  if (!issues.empty()) {
    validation_->setText(html.join(QString()));
  } else if (manifest_) {
    validation_->setText(QStringLiteral("<span style=\"color:#2e7d32\">%1</span>")
                             .arg(tr("plan checked for U%1×R%2 on %3: no problems")
                                      .arg(ulyssesDegree())
                                      .arg(ringDegree())
                                      .arg(ranks() == 1 ? tr("1 rank") : tr("%1 ranks").arg(ranks()))
                                      .toHtmlEscaped()));
  } else {
    validation_->setText(
        QStringLiteral("<span style=\"color:gray\">%1</span>")
            .arg(tr("plan parsed; it is checked against the model once the model is described").toHtmlEscaped()));
  }
}

void ParallelConfigPanel::browsePlan() {
  const QString current = plan_path_->text();
  const QString start = current.isEmpty() ? QString() : QFileInfo(current).absolutePath();
  const QString path =
      QFileDialog::getOpenFileName(this, tr("Open a plan file"), start, tr("Plan files (*.json);;All files (*)"));
  if (path.isEmpty()) return;
  plan_path_->setText(path);
  revalidate();
  emit configChanged();
}

}  // namespace spstudio::ui
