// SPDX-License-Identifier: Apache-2.0
// The generation panel: the per-image parameters in one form, with sizes kept on multiples of 16
// and a seed box that takes the full unsigned 64-bit range.
#include "ui/panels/generation_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFontMetrics>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRandomGenerator>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QToolButton>
#include <QValidator>
#include <algorithm>

namespace spstudio::ui {
namespace {

constexpr int kSizeStep = 16;  // the VAE downsamples by 8 and the DiT packs 2×2 latent patches

/// Decimal digits of an unsigned 64-bit integer; anything above 2^64 - 1 is refused while typing.
class SeedValidator : public QValidator {
 public:
  using QValidator::QValidator;

  State validate(QString& input, int& /*pos*/) const override {
    if (input.isEmpty()) return Intermediate;
    for (const QChar c : input)
      if (c < QLatin1Char('0') || c > QLatin1Char('9')) return Invalid;
    bool ok = false;
    input.toULongLong(&ok);
    return ok ? Acceptable : Invalid;
  }
  void fixup(QString& input) const override {
    if (input.isEmpty()) input = QStringLiteral("0");
  }
};

int nearest_multiple_of_16(int value) {
  const int snapped = (value + kSizeStep / 2) / kSizeStep * kSizeStep;  // halves round up
  return std::max(kSizeStep, snapped);
}

QSpinBox* size_box(QWidget* parent, const char* name, const QString& tip) {
  auto* box = new QSpinBox(parent);
  box->setObjectName(QString::fromLatin1(name));
  box->setRange(kSizeStep, 4096);
  box->setSingleStep(kSizeStep);
  box->setSuffix(QObject::tr(" px"));
  box->setToolTip(tip);
  // Typed values that are not multiples of 16 snap once the edit is done.
  QObject::connect(box, &QSpinBox::editingFinished, box, [box] {
    const int snapped = std::min(box->maximum(), nearest_multiple_of_16(box->value()));
    if (snapped != box->value()) box->setValue(snapped);
  });
  return box;
}

QPlainTextEdit* text_box(QWidget* parent, const char* name, const QString& placeholder, const QString& tip, int lines) {
  auto* edit = new QPlainTextEdit(parent);
  edit->setObjectName(QString::fromLatin1(name));
  edit->setPlaceholderText(placeholder);
  edit->setToolTip(tip);
  edit->setTabChangesFocus(true);
  const int line_height = QFontMetrics(edit->font()).lineSpacing();
  edit->setFixedHeight(line_height * lines + 2 * edit->frameWidth() + 8);
  return edit;
}

}  // namespace

GenerationPanel::GenerationPanel(QWidget* parent)
    : QWidget(parent),
      prompt_(text_box(this, "prompt", tr("What the image shows"), tr("The text prompt"), 4)),
      negative_(text_box(this, "negativePrompt", tr("What to avoid"),
                         tr("Negative prompt: used only when the true CFG scale is above 1"), 2)),
      width_(size_box(this, "width", tr("Image width in pixels, a multiple of 16"))),
      height_(size_box(this, "height", tr("Image height in pixels, a multiple of 16"))),
      steps_(new QSpinBox(this)),
      guidance_(new QDoubleSpinBox(this)),
      true_cfg_(new QDoubleSpinBox(this)),
      seed_(new QLineEdit(this)),
      seed_mode_(new QComboBox(this)),
      dice_(new QToolButton(this)),
      images_(new QSpinBox(this)),
      preview_interval_(new QSpinBox(this)) {
  steps_->setObjectName(QStringLiteral("steps"));
  steps_->setRange(1, 1000);
  steps_->setToolTip(tr("Denoising steps: more is slower and usually finer"));
  guidance_->setObjectName(QStringLiteral("guidance"));
  guidance_->setRange(0.0, 100.0);
  guidance_->setDecimals(2);
  guidance_->setSingleStep(0.5);
  guidance_->setToolTip(tr("Distilled guidance (Flux.1-dev): how closely to follow the prompt"));
  true_cfg_->setObjectName(QStringLiteral("trueCfgScale"));
  true_cfg_->setRange(1.0, 100.0);
  true_cfg_->setDecimals(2);
  true_cfg_->setSingleStep(0.5);
  true_cfg_->setToolTip(tr("True classifier-free guidance; 1: off (no negative-prompt pass, half the work)"));
  seed_->setObjectName(QStringLiteral("seed"));
  seed_->setValidator(new SeedValidator(seed_));
  seed_->setToolTip(tr("Random seed, 0 to 18446744073709551615; image i of a job uses seed + i"));
  seed_mode_->setObjectName(QStringLiteral("seedMode"));
  seed_mode_->addItem(tr("Fixed"), static_cast<int>(SeedMode::Fixed));
  seed_mode_->setItemData(0, tr("Every generation uses the seed in the box"), Qt::ToolTipRole);
  seed_mode_->addItem(tr("Increment"), static_cast<int>(SeedMode::Increment));
  seed_mode_->setItemData(1, tr("The seed advances by the number of images after each generation"), Qt::ToolTipRole);
  seed_mode_->addItem(tr("Random"), static_cast<int>(SeedMode::Random));
  seed_mode_->setItemData(2, tr("Each generation draws a new seed (shown here and in the gallery)"), Qt::ToolTipRole);
  seed_mode_->setToolTip(tr("How the seed changes after each Generate"));
  dice_->setObjectName(QStringLiteral("randomSeed"));
  dice_->setText(tr("New"));  // a die glyph is missing from common fonts (DejaVu)
  dice_->setToolTip(tr("Draw a random 64-bit seed now"));
  images_->setObjectName(QStringLiteral("images"));
  images_->setRange(1, 100);
  images_->setToolTip(tr("Images per queue item; image i uses seed + i"));
  preview_interval_->setObjectName(QStringLiteral("previewInterval"));
  preview_interval_->setRange(0, 1000);
  preview_interval_->setSpecialValueText(tr("off"));
  preview_interval_->setPrefix(tr("every "));
  preview_interval_->setSuffix(tr(" steps"));
  preview_interval_->setToolTip(tr("A live preview every N steps; 0: none"));

  auto* size_row = new QHBoxLayout;
  size_row->setContentsMargins(0, 0, 0, 0);
  size_row->addWidget(width_, 1);
  size_row->addWidget(new QLabel(QStringLiteral("×"), this));
  size_row->addWidget(height_, 1);
  auto* seed_row = new QHBoxLayout;
  seed_row->setContentsMargins(0, 0, 0, 0);
  seed_row->addWidget(seed_, 1);
  seed_row->addWidget(dice_);
  seed_row->addWidget(seed_mode_);

  auto* form = new QFormLayout(this);
  const auto add_row = [this, form](const QString& text, QWidget* buddy, auto field) {
    auto* label = new QLabel(text, this);
    label->setBuddy(buddy);
    label->setToolTip(buddy->toolTip());
    form->addRow(label, field);
  };
  add_row(tr("&Prompt"), prompt_, prompt_);
  add_row(tr("&Negative"), negative_, negative_);
  add_row(tr("&Size"), width_, size_row);
  add_row(tr("S&teps"), steps_, steps_);
  add_row(tr("&Guidance"), guidance_, guidance_);
  add_row(tr("True &CFG"), true_cfg_, true_cfg_);
  add_row(tr("S&eed"), seed_, seed_row);
  add_row(tr("&Images"), images_, images_);
  add_row(tr("Pre&view"), preview_interval_, preview_interval_);

  const auto changed = [this] { emit paramsChanged(); };
  connect(prompt_, &QPlainTextEdit::textChanged, this, changed);
  connect(negative_, &QPlainTextEdit::textChanged, this, changed);
  for (QSpinBox* box : {width_, height_, steps_, images_, preview_interval_})
    connect(box, qOverload<int>(&QSpinBox::valueChanged), this, changed);
  for (QDoubleSpinBox* box : {guidance_, true_cfg_})
    connect(box, qOverload<double>(&QDoubleSpinBox::valueChanged), this, changed);
  connect(seed_, &QLineEdit::textChanged, this, changed);
  connect(seed_mode_, qOverload<int>(&QComboBox::currentIndexChanged), this, changed);
  connect(dice_, &QToolButton::clicked, this, [this] { setSeed(QRandomGenerator::global()->generate64()); });

  setParams(GenerationParams{});
}

void GenerationPanel::setParams(const GenerationParams& params) {
  {
    const QSignalBlocker b1(prompt_), b2(negative_), b3(width_), b4(height_), b5(steps_), b6(guidance_), b7(true_cfg_),
        b8(seed_), b9(seed_mode_), b10(images_), b11(preview_interval_);
    // setPlainText resets the undo history: skip it when nothing changed so undo survives a recall.
    if (prompt_->toPlainText() != params.prompt) prompt_->setPlainText(params.prompt);
    if (negative_->toPlainText() != params.negative_prompt) negative_->setPlainText(params.negative_prompt);
    width_->setValue(nearest_multiple_of_16(params.width));
    height_->setValue(nearest_multiple_of_16(params.height));
    steps_->setValue(params.steps);
    guidance_->setValue(params.guidance);
    true_cfg_->setValue(params.true_cfg_scale);
    seed_->setText(QString::number(params.seed));
    seed_mode_->setCurrentIndex(seed_mode_->findData(static_cast<int>(params.seed_mode)));
    images_->setValue(params.images);
    preview_interval_->setValue(params.preview_interval);
  }
  emit paramsChanged();
}

void GenerationPanel::fillParams(GenerationParams& params) const {
  params.prompt = prompt_->toPlainText();
  params.negative_prompt = negative_->toPlainText();
  // A value typed but not yet confirmed may be off the grid: snap it as editingFinished would.
  params.width = std::min(width_->maximum(), nearest_multiple_of_16(width_->value()));
  params.height = std::min(height_->maximum(), nearest_multiple_of_16(height_->value()));
  params.steps = steps_->value();
  params.guidance = guidance_->value();
  params.true_cfg_scale = true_cfg_->value();
  params.seed = seed();
  params.seed_mode = seedMode();
  params.images = images_->value();
  params.preview_interval = preview_interval_->value();
}

quint64 GenerationPanel::seed() const {
  return seed_->text().toULongLong();  // the validator admits only digits in range; empty reads 0
}

void GenerationPanel::setSeed(quint64 seed) {
  seed_->setText(QString::number(seed));  // textChanged emits paramsChanged
}

SeedMode GenerationPanel::seedMode() const {
  return static_cast<SeedMode>(seed_mode_->currentData().toInt());
}

}  // namespace spstudio::ui
