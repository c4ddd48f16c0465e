// SPDX-License-Identifier: Apache-2.0
// The main window's parameter panels: Ulysses degree filtering, the parallel configuration panel
// (degrees, plan file checks), the model picker (builtins, pipeline folders, recent list) and the
// generation panel (round trip, size snapping, 64-bit seeds, change notification).
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QToolButton>
#include <QValidator>
#include <QtTest>

#include "ui/panels/generation_panel.h"
#include "ui/panels/model_picker.h"
#include "ui/panels/parallel_config_panel.h"

using namespace spstudio;
using namespace spstudio::ui;

namespace {

ModuleNode hookable(const std::string& name, const std::string& class_name, std::vector<std::string> signature) {
  ModuleNode node;
  node.name = name;
  node.class_name = class_name;
  node.hookable = true;
  node.signature = std::move(signature);
  return node;
}

/// A tiny DiT: a root taking hidden_states, one self-attention of 6 heads, one text cross-attention
/// of 5 heads that runs locally (skip_sequence_parallel), and proj_out.
ModelManifest tiny_manifest() {
  ModelManifest manifest;
  manifest.model = "TinyDiT";
  manifest.root = hookable("", "TinyDiT", {"hidden_states"});
  ModuleNode attn = hookable("attn", "Attention", {"x"});
  attn.attention = AttentionInfo{6, 6, false};
  ModuleNode cross = hookable("cross", "Attention", {"x", "context"});
  cross.attention = AttentionInfo{5, 5, true};
  manifest.root.children = {attn, cross, hookable("proj_out", "Linear", {"x"})};
  return manifest;
}

QStringList combo_texts(const QComboBox* combo) {
  QStringList texts;
  for (int i = 0; i < combo->count(); ++i)
    texts << combo->itemText(i);
  return texts;
}

QList<int> combo_ints(const QComboBox* combo) {
  QList<int> values;
  for (int i = 0; i < combo->count(); ++i)
    values << combo->itemData(i).toInt();
  return values;
}

void write_file(const QString& path, const QByteArray& contents) {
  QFile file(path);
  QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(path));
  file.write(contents);
}

QString make_pipeline_folder(const QTemporaryDir& dir, const QString& name) {
  const QString folder = dir.filePath(name);
  if (!QDir().mkpath(folder)) return {};
  write_file(QDir(folder).filePath("model_index.json"), R"({"_class_name": "FluxPipeline"})");
  return folder;
}

template <typename T>
T* child(QWidget* parent, const char* name) {
  T* widget = parent->findChild<T*>(QString::fromLatin1(name));
  if (!widget) qFatal("no child widget named %s", name);
  return widget;
}

// Plan files: the root splits the image tokens and proj_out gathers them. The bad one also names a
// module the manifest does not have.
constexpr const char* kGoodPlan = R"({
  "format": "spstudio-plan/1", "model": "TinyDiT",
  "entries": {
    "": { "split": { "hidden_states": { "dim": 1, "expected_dims": 3 } } },
    "proj_out": { "gather": [ { "dim": 1, "expected_dims": 3 } ] } } })";
constexpr const char* kPlanWithUnknownModule = R"({
  "format": "spstudio-plan/1", "model": "TinyDiT",
  "entries": {
    "": { "split": { "hidden_states": { "dim": 1, "expected_dims": 3 } } },
    "ghost_block": { "split": { "x": { "dim": 1 } } },
    "proj_out": { "gather": [ { "dim": 1, "expected_dims": 3 } ] } } })";

}  // namespace

class TestPanels : public QObject {
  Q_OBJECT

 private slots:
  // ---- Ulysses degrees ------------------------------------------------------------------------

  void validDegreesAreDivisorsOfRanksAndHeads() {
    QCOMPARE(valid_ulysses_degrees(4, {24}), (std::vector<int>{1, 2, 4}));
    QCOMPARE(valid_ulysses_degrees(4, {6}), (std::vector<int>{1, 2}));
    QCOMPARE(valid_ulysses_degrees(6, {}), (std::vector<int>{1, 2, 3, 6}));
    // Every count must divide: 12 heads with 8 kv heads leave 1, 2, 4 of the divisors of 8.
    QCOMPARE(valid_ulysses_degrees(8, {12, 8}), (std::vector<int>{1, 2, 4}));
    QCOMPARE(valid_ulysses_degrees(1, {6}), (std::vector<int>{1}));
  }

  void attentionHeadsSkipLocalCrossAttention() {
    const ModelManifest manifest = tiny_manifest();
    QCOMPARE(attention_heads(manifest.root), (std::vector<int>{6}));
    ModelManifest gqa = manifest;
    gqa.root.children[0].attention = AttentionInfo{8, 2, false};
    const std::vector<int> heads = attention_heads(gqa.root);
    QVERIFY(std::find(heads.begin(), heads.end(), 8) != heads.end());
    QVERIFY(std::find(heads.begin(), heads.end(), 2) != heads.end());
    QVERIFY(std::find(heads.begin(), heads.end(), 5) == heads.end());
  }

  void refusalsSayWhy() {
    QCOMPARE(ulysses_refusal(4, 3, {}), QString("4 ranks are not divisible by U=3"));
    QCOMPARE(ulysses_refusal(4, 4, {6}), QString("the attention has 6 heads, not divisible by U=4"));
    QCOMPARE(ulysses_refusal(4, 2, {6}), QString());
    QCOMPARE(ulysses_refusal(6, 6, {}), QString());
    QVERIFY(!ulysses_refusal(4, 0, {}).isEmpty());
  }

  // ---- ParallelConfigPanel --------------------------------------------------------------------

  void ulyssesItemsFollowRanksAndManifest() {
    ParallelConfigPanel panel;
    auto* ranks = child<QSpinBox>(&panel, "ranks");
    auto* ulysses = child<QComboBox>(&panel, "ulysses");
    ranks->setValue(4);
    QCOMPARE(combo_texts(ulysses), (QStringList{"U=1", "U=2", "U=4"}));
    QCOMPARE(combo_ints(ulysses), (QList<int>{1, 2, 4}));

    panel.setManifest(tiny_manifest());  // 6 heads: U=4 no longer divides them
    QCOMPARE(combo_ints(ulysses), (QList<int>{1, 2}));
    QVERIFY2(ulysses->toolTip().contains("U=4: the attention has 6 heads, not divisible by U=4"),
             qPrintable(ulysses->toolTip()));
    QVERIFY2(ulysses->toolTip().contains("U=3: 4 ranks are not divisible by U=3"), qPrintable(ulysses->toolTip()));

    ranks->setValue(6);
    QCOMPARE(combo_texts(ulysses), (QStringList{"U=1", "U=2", "U=3", "U=6"}));

    panel.setManifest(std::nullopt);
    ranks->setValue(8);
    QCOMPARE(combo_ints(ulysses), (QList<int>{1, 2, 4, 8}));
  }

  void ringLabelIsRanksOverUlysses() {
    ParallelConfigPanel panel;
    auto* ranks = child<QSpinBox>(&panel, "ranks");
    auto* ulysses = child<QComboBox>(&panel, "ulysses");
    auto* ring = child<QLabel>(&panel, "ring");
    ranks->setValue(6);
    ulysses->setCurrentIndex(ulysses->findData(3));
    QCOMPARE(ring->text(), QString("R=2"));
    QCOMPARE(panel.ringDegree(), 2);
    ulysses->setCurrentIndex(ulysses->findData(6));
    QCOMPARE(ring->text(), QString("R=1"));
    ulysses->setCurrentIndex(ulysses->findData(1));
    QCOMPARE(ring->text(), QString("R=6"));
    QCOMPARE(panel.ranks(), 6);
  }

  void setParamsSnapsInvalidUlysses() {
    ParallelConfigPanel panel;
    panel.setManifest(tiny_manifest());
    GenerationParams params;
    params.ulysses_degree = 4;  // 8 ranks; 6 heads leave U in {1, 2}: the nearest to 4 is 2
    params.ring_degree = 2;
    params.device = "cpu";
    panel.setParams(params);
    QCOMPARE(panel.ranks(), 8);
    QCOMPARE(panel.ulyssesDegree(), 2);
    QCOMPARE(panel.ringDegree(), 4);
    QCOMPARE(child<QLabel>(&panel, "ring")->text(), QString("R=4"));

    // Above the maximum the ranks clamp: 16 → 8.
    params.ulysses_degree = 2;
    params.ring_degree = 8;
    panel.setParams(params);
    QCOMPARE(panel.ranks(), 8);
    QCOMPARE(panel.ulyssesDegree(), 2);
  }

  void fillParamsWritesOnlyItsFields() {
    ParallelConfigPanel panel;
    panel.setMaxRanks(16);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString plan = dir.filePath("plan.json");
    write_file(plan, kGoodPlan);
    GenerationParams in;
    in.ulysses_degree = 4;
    in.ring_degree = 3;
    in.device = "cuda";
    in.plan_path = plan;
    panel.setParams(in);
    QCOMPARE(panel.ranks(), 12);

    GenerationParams out;
    out.prompt = "untouched";
    out.steps = 77;
    out.model = "builtin:other";
    panel.fillParams(out);
    QCOMPARE(out.ulysses_degree, 4);
    QCOMPARE(out.ring_degree, 3);
    QCOMPARE(out.device, QString("cuda"));
    QCOMPARE(out.plan_path, plan);
    QCOMPARE(out.prompt, QString("untouched"));
    QCOMPARE(out.steps, 77);
    QCOMPARE(out.model, QString("builtin:other"));
  }

  void planWithUnknownModuleIsAnError() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath("bad.json");
    write_file(path, kPlanWithUnknownModule);
    ParallelConfigPanel panel;
    panel.setManifest(tiny_manifest());
    child<QSpinBox>(&panel, "ranks")->setValue(2);
    GenerationParams params;
    params.ulysses_degree = 2;
    params.plan_path = path;
    QSignalSpy changed(&panel, &ParallelConfigPanel::configChanged);
    panel.setParams(params);
    QVERIFY(changed.count() >= 1);
    QVERIFY(panel.hasErrors());
    const QString text = panel.validationText();
    QVERIFY2(text.contains("error") && text.contains("ghost_block"), qPrintable(text));
    const QString label = child<QLabel>(&panel, "planValidation")->text();
    QVERIFY2(label.contains("ghost_block") && label.contains("#c62828"), qPrintable(label));
    QCOMPARE(panel.planJson(), QString(kPlanWithUnknownModule));

    // The same plan is fine once the entry is gone.
    write_file(path, kGoodPlan);
    child<QSpinBox>(&panel, "ranks")->setValue(4);  // re-validation reads the file again; U stays 2
    QCOMPARE(panel.ringDegree(), 2);
    QVERIFY2(!panel.hasErrors(), qPrintable(panel.validationText()));
    QVERIFY(!panel.validationText().contains("error"));
    const QString verdict = child<QLabel>(&panel, "planValidation")->text();
    QVERIFY2(verdict.contains("U2×R2") && verdict.contains("no problems"), qPrintable(verdict));

    // Clear returns to the shipped plan: nothing to check.
    QSignalSpy cleared(&panel, &ParallelConfigPanel::configChanged);
    child<QPushButton>(&panel, "planClear")->click();
    QCOMPARE(cleared.count(), 1);
    QVERIFY(child<QLineEdit>(&panel, "planPath")->text().isEmpty());
    QVERIFY(panel.validationText().isEmpty());
    QVERIFY(panel.planJson().isEmpty());
    QVERIFY(!panel.hasErrors());
    QVERIFY(child<QLabel>(&panel, "planValidation")->text().contains("shipped plan"));
  }

  void planThatIsNotJsonShowsTheParseError() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath("broken.json");
    write_file(path, "{ \"format\": ");
    ParallelConfigPanel panel;  // no manifest: parsing alone finds it
    GenerationParams params;
    params.plan_path = path;
    panel.setParams(params);
    QVERIFY(panel.hasErrors());
    QVERIFY2(panel.validationText().contains("not valid JSON"), qPrintable(panel.validationText()));
  }

  void unreadablePlanNamesTheFile() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath("missing.json");
    ParallelConfigPanel panel;
    GenerationParams params;
    params.plan_path = path;
    panel.setParams(params);
    QVERIFY(panel.hasErrors());
    QVERIFY2(panel.validationText().contains("cannot read " + path + ": "), qPrintable(panel.validationText()));
  }

  void configChangedOnEveryChange() {
    ParallelConfigPanel panel;
    QSignalSpy spy(&panel, &ParallelConfigPanel::configChanged);
    child<QSpinBox>(&panel, "ranks")->setValue(4);
    QCOMPARE(spy.count(), 1);
    auto* ulysses = child<QComboBox>(&panel, "ulysses");
    ulysses->setCurrentIndex(ulysses->findData(4));
    QCOMPARE(spy.count(), 2);
    auto* device = child<QComboBox>(&panel, "device");
    QCOMPARE(combo_texts(device), (QStringList{"auto", "cpu", "cuda"}));
    device->setCurrentIndex(device->findText("cpu"));
    QCOMPARE(spy.count(), 3);
    GenerationParams out;
    panel.fillParams(out);
    QCOMPARE(out.device, QString("cpu"));
    QCOMPARE(out.ulysses_degree, 4);
    QCOMPARE(out.ring_degree, 1);
  }

  // ---- ModelPicker ----------------------------------------------------------------------------

  void pipelineFolderIsAcceptedAndRemembered() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString folder = make_pipeline_folder(dir, "flux-dev");
    ModelPicker picker;
    picker.setBuiltinModels({"builtin:tiny-flux", "builtin:test-dit"});
    QCOMPARE(picker.currentModel(), QString("builtin:tiny-flux"));
    QSignalSpy spy(&picker, &ModelPicker::modelChanged);
    QVERIFY(picker.setCurrentModel(folder));
    QCOMPARE(picker.currentModel(), folder);
    QCOMPARE(picker.recentFolders(), QStringList{folder});
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), folder);
    QVERIFY(picker.errorText().isEmpty());

    auto* combo = child<QComboBox>(&picker, "model");
    QCOMPARE(combo->currentText(), QString("flux-dev"));
    QCOMPARE(combo->itemData(combo->currentIndex(), Qt::ToolTipRole).toString(), folder);
    QCOMPARE(combo->itemText(0), QString("builtin:tiny-flux"));
    QCOMPARE(combo->itemText(1), QString("builtin:test-dit"));

    QVERIFY(picker.setCurrentModel("builtin:test-dit"));
    QCOMPARE(combo->currentData().toString(), QString("builtin:test-dit"));
    QCOMPARE(picker.recentFolders(), QStringList{folder});  // still remembered
  }

  void recentFoldersAreMostRecentFirstAndBounded() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ModelPicker picker;
    picker.setBuiltinModels({"builtin:tiny-flux"});
    const int total = ModelPicker::kMaxRecentFolders + 2;
    QStringList folders;
    for (int i = 0; i < total; ++i) {
      folders << make_pipeline_folder(dir, QString("model%1").arg(i));
      QVERIFY(picker.setCurrentModel(folders.last()));
    }
    QStringList expected;  // the last kMaxRecentFolders opened, newest first
    for (int i = total - 1; i >= total - ModelPicker::kMaxRecentFolders; --i)
      expected << folders[i];
    QCOMPARE(picker.recentFolders(), expected);

    // Opening a remembered folder again moves it to the front, without a duplicate.
    QVERIFY(picker.setCurrentModel(folders[5]));
    QCOMPARE(picker.recentFolders().first(), folders[5]);
    QCOMPARE(picker.recentFolders().size(), ModelPicker::kMaxRecentFolders);
    QCOMPARE(picker.recentFolders().count(folders[5]), 1);

    // Restored lists are bounded and deduplicated too.
    picker.setRecentFolders(folders + folders);
    QCOMPARE(picker.recentFolders(), folders.mid(0, ModelPicker::kMaxRecentFolders));
  }

  void folderWithoutModelIndexIsRefused() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString good = make_pipeline_folder(dir, "good");
    const QString bad = dir.filePath("weights-only");
    QVERIFY(QDir().mkpath(bad));
    QCOMPARE(check_pipeline_folder(good), QString());
    QCOMPARE(check_pipeline_folder(bad), bad + " has no model_index.json: pick the pipeline's top folder");

    ModelPicker picker;
    picker.setBuiltinModels({"builtin:tiny-flux"});
    QVERIFY(picker.setCurrentModel(good));
    QSignalSpy spy(&picker, &ModelPicker::modelChanged);
    QVERIFY(!picker.setCurrentModel(bad));
    QCOMPARE(picker.currentModel(), good);
    QCOMPARE(spy.count(), 0);
    QVERIFY2(picker.errorText().contains(bad) && picker.errorText().contains("model_index.json"),
             qPrintable(picker.errorText()));
    QCOMPARE(child<QLabel>(&picker, "modelError")->text(), picker.errorText());
    QCOMPARE(child<QComboBox>(&picker, "model")->currentData().toString(), good);
    QCOMPARE(picker.recentFolders(), QStringList{good});

    QVERIFY(!picker.setCurrentModel(dir.filePath("does-not-exist")));
    QVERIFY(picker.errorText().contains(dir.filePath("does-not-exist")));

    QVERIFY(picker.setCurrentModel("builtin:tiny-flux"));  // a good choice clears the message
    QVERIFY(picker.errorText().isEmpty());
  }

  void unknownBuiltinListsTheBuiltins() {
    ModelPicker picker;
    picker.setBuiltinModels({"builtin:tiny-flux", "builtin:test-dit"});
    QVERIFY(!picker.setCurrentModel("builtin:nope"));
    QCOMPARE(picker.currentModel(), QString("builtin:tiny-flux"));
    const QString error = picker.errorText();
    QVERIFY2(
        error.contains("builtin:nope") && error.contains("builtin:tiny-flux") && error.contains("builtin:test-dit"),
        qPrintable(error));
  }

  // ---- GenerationPanel ------------------------------------------------------------------------

  void paramsRoundTrip() {
    GenerationParams in;
    in.prompt = "a red fox in the snow";
    in.negative_prompt = "blurry";
    in.width = 512;
    in.height = 768;
    in.steps = 20;
    in.guidance = 4.25;
    in.true_cfg_scale = 2.5;
    in.seed = 123456789012345ULL;
    in.seed_mode = SeedMode::Increment;
    in.images = 3;
    in.preview_interval = 0;
    GenerationPanel panel;
    panel.setParams(in);

    GenerationParams out;  // the fields the panel does not own keep these values
    out.model = "/models/flux";
    out.ulysses_degree = 2;
    out.ring_degree = 3;
    out.device = "cuda";
    out.plan_path = "/plans/mine.json";
    panel.fillParams(out);
    QCOMPARE(out.prompt, in.prompt);
    QCOMPARE(out.negative_prompt, in.negative_prompt);
    QCOMPARE(out.width, 512);
    QCOMPARE(out.height, 768);
    QCOMPARE(out.steps, 20);
    QCOMPARE(out.guidance, 4.25);
    QCOMPARE(out.true_cfg_scale, 2.5);
    QCOMPARE(out.seed, 123456789012345ULL);
    QCOMPARE(out.seed_mode, SeedMode::Increment);
    QCOMPARE(panel.seedMode(), SeedMode::Increment);
    QCOMPARE(out.images, 3);
    QCOMPARE(out.preview_interval, 0);
    QCOMPARE(out.model, QString("/models/flux"));
    QCOMPARE(out.ulysses_degree, 2);
    QCOMPARE(out.ring_degree, 3);
    QCOMPARE(out.device, QString("cuda"));
    QCOMPARE(out.plan_path, QString("/plans/mine.json"));
  }

  void sizesSnapToMultiplesOf16() {
    GenerationPanel panel;
    auto* width = child<QSpinBox>(&panel, "width");
    QCOMPARE(width->singleStep(), 16);
    QCOMPARE(width->minimum(), 16);
    QCOMPARE(width->maximum(), 4096);
    // 100 lies between 96 (4 away) and 112 (12 away): 96.
    width->selectAll();
    QTest::keyClicks(width, "100");
    QCOMPARE(width->value(), 100);
    QTest::keyClick(width, Qt::Key_Return);
    QCOMPARE(width->value(), 96);
    // 125 lies between 112 (13 away) and 128 (3 away): 128.
    auto* height = child<QSpinBox>(&panel, "height");
    height->selectAll();
    QTest::keyClicks(height, "125");
    QTest::keyClick(height, Qt::Key_Return);
    QCOMPARE(height->value(), 128);
    // A value not yet confirmed is snapped when read: 200 → 208 (8 away from both: halves round up).
    width->setValue(200);
    GenerationParams out;
    panel.fillParams(out);
    QCOMPARE(out.width, 208);
    QCOMPARE(out.height, 128);
  }

  void seedTakesTheFull64BitRange() {
    GenerationPanel panel;
    GenerationParams in;
    in.seed = 18446744073709551615ULL;
    panel.setParams(in);
    auto* seed = child<QLineEdit>(&panel, "seed");
    QCOMPARE(seed->text(), QString("18446744073709551615"));
    GenerationParams out;
    panel.fillParams(out);
    QCOMPARE(out.seed, 18446744073709551615ULL);
    QCOMPARE(panel.seed(), 18446744073709551615ULL);

    const QValidator* validator = seed->validator();
    QVERIFY(validator);
    int pos = 0;
    QString text = "18446744073709551615";
    QCOMPARE(validator->validate(text, pos), QValidator::Acceptable);
    text = "18446744073709551616";  // 2^64
    QCOMPARE(validator->validate(text, pos), QValidator::Invalid);
    text = "12a";
    QCOMPARE(validator->validate(text, pos), QValidator::Invalid);
    text = "-1";
    QCOMPARE(validator->validate(text, pos), QValidator::Invalid);

    // Typing past the maximum is refused keystroke by keystroke: the last digit does not land.
    seed->clear();
    QTest::keyClicks(seed, "184467440737095516159");
    QCOMPARE(seed->text(), QString("18446744073709551615"));
  }

  void paramsChangedOnEdits() {
    GenerationPanel panel;
    QSignalSpy spy(&panel, &GenerationPanel::paramsChanged);
    child<QSpinBox>(&panel, "steps")->setValue(30);
    QCOMPARE(spy.count(), 1);
    QTest::keyClicks(panel.promptEdit(), "x");
    QCOMPARE(spy.count(), 2);
    auto* mode = child<QComboBox>(&panel, "seedMode");
    mode->setCurrentIndex(mode->findData(static_cast<int>(SeedMode::Random)));
    QCOMPARE(spy.count(), 3);
    QCOMPARE(panel.seedMode(), SeedMode::Random);
    const quint64 before = panel.seed();
    child<QToolButton>(&panel, "randomSeed")->click();
    QCOMPARE(spy.count(), 4);
    QVERIFY(panel.seed() != before);  // 2^-64 chance of a false failure
    child<QSpinBox>(&panel, "previewInterval")->setValue(5);
    QCOMPARE(spy.count(), 5);
    GenerationParams out;
    panel.fillParams(out);
    QCOMPARE(out.prompt, QString("x"));
    QCOMPARE(out.steps, 30);
    QCOMPARE(out.preview_interval, 5);
  }
};

QTEST_MAIN(TestPanels)
#include "test_panels.moc"
