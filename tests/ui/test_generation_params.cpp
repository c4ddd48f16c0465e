// SPDX-License-Identifier: Apache-2.0
// GenerationParams: JSON round trips and rejections, the seed box's three modes, the wire::Job it
// becomes, and the parallel label.
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QtTest>
#include <functional>
#include <limits>
#include <stdexcept>

#include "common/parallel_config.h"
#include "ui/generation_params.h"

using spstudio::ui::GenerationParams;
using spstudio::ui::SeedMode;

namespace {

/// 2^64 - 59 (the largest 64-bit prime): above 2^63, and not representable as a double.
constexpr quint64 kBigSeed = 18446744073709551557ULL;

/// A value in which every field differs from its default.
GenerationParams non_default_params() {
  GenerationParams p;
  p.model = "/models/FLUX.1-dev";
  p.prompt = QString::fromUtf8(u8"a fox in the snow, \"quoted\" \u00e9\u00e8 \u2603");
  p.negative_prompt = "blurry";
  p.width = 512;
  p.height = 768;
  p.steps = 28;
  p.guidance = 4.25;
  p.true_cfg_scale = 1.5;
  p.seed = kBigSeed;
  p.seed_mode = SeedMode::Increment;
  p.images = 3;
  p.ulysses_degree = 2;
  p.ring_degree = 4;
  p.device = "cuda";
  p.plan_path = "/plans/custom.json";
  p.preview_interval = 0;
  return p;
}

QString rejection_message(const QJsonObject& object) {
  try {
    spstudio::ui::params_from_json(object);
  } catch (const std::runtime_error& e) {
    return QString::fromStdString(e.what());
  }
  return "(accepted)";
}

}  // namespace

class TestGenerationParams : public QObject {
  Q_OBJECT

 private slots:
  void the_non_default_value_differs_in_every_field() {
    // Guards the round-trip tests below: a field left at its default would round-trip trivially.
    const GenerationParams d;
    const GenerationParams p = non_default_params();
    QVERIFY(p.model != d.model);
    QVERIFY(p.prompt != d.prompt);
    QVERIFY(p.negative_prompt != d.negative_prompt);
    QVERIFY(p.width != d.width);
    QVERIFY(p.height != d.height);
    QVERIFY(p.steps != d.steps);
    QVERIFY(p.guidance != d.guidance);
    QVERIFY(p.true_cfg_scale != d.true_cfg_scale);
    QVERIFY(p.seed != d.seed);
    QVERIFY(p.seed_mode != d.seed_mode);
    QVERIFY(p.images != d.images);
    QVERIFY(p.ulysses_degree != d.ulysses_degree);
    QVERIFY(p.ring_degree != d.ring_degree);
    QVERIFY(p.device != d.device);
    QVERIFY(p.plan_path != d.plan_path);
    QVERIFY(p.preview_interval != d.preview_interval);
  }

  void equality_sees_every_field() {
    const GenerationParams base;
    const GenerationParams other = non_default_params();
    // Copy one field at a time from `other`: each alone must make the values differ.
    const QList<std::function<void(GenerationParams&)>> setters{
        [&](GenerationParams& p) { p.model = other.model; },
        [&](GenerationParams& p) { p.prompt = other.prompt; },
        [&](GenerationParams& p) { p.negative_prompt = other.negative_prompt; },
        [&](GenerationParams& p) { p.width = other.width; },
        [&](GenerationParams& p) { p.height = other.height; },
        [&](GenerationParams& p) { p.steps = other.steps; },
        [&](GenerationParams& p) { p.guidance = other.guidance; },
        [&](GenerationParams& p) { p.true_cfg_scale = other.true_cfg_scale; },
        [&](GenerationParams& p) { p.seed = other.seed; },
        [&](GenerationParams& p) { p.seed_mode = other.seed_mode; },
        [&](GenerationParams& p) { p.images = other.images; },
        [&](GenerationParams& p) { p.ulysses_degree = other.ulysses_degree; },
        [&](GenerationParams& p) { p.ring_degree = other.ring_degree; },
        [&](GenerationParams& p) { p.device = other.device; },
        [&](GenerationParams& p) { p.plan_path = other.plan_path; },
        [&](GenerationParams& p) { p.preview_interval = other.preview_interval; },
    };
    for (int i = 0; i < setters.size(); ++i) {
      GenerationParams changed = base;
      setters[i](changed);
      QVERIFY2(changed != base, qPrintable(QString("field %1").arg(i)));
      QVERIFY(!(changed == base));
    }
    QVERIFY(base == GenerationParams{});
  }

  void json_round_trips_every_field() {
    const GenerationParams p = non_default_params();
    const QJsonObject object = spstudio::ui::to_json(p);
    QCOMPARE(object.size(), 16);
    QCOMPARE(spstudio::ui::params_from_json(object), p);
  }

  void json_round_trips_through_text() {
    // What the settings file goes through: serialised, then parsed back.
    const GenerationParams p = non_default_params();
    const QByteArray text = QJsonDocument(spstudio::ui::to_json(p)).toJson();
    QJsonParseError error;
    const QJsonDocument parsed = QJsonDocument::fromJson(text, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(spstudio::ui::params_from_json(parsed.object()), p);
  }

  void json_writes_the_seed_as_a_decimal_string_and_the_mode_by_name() {
    GenerationParams p = non_default_params();
    const QJsonObject object = spstudio::ui::to_json(p);
    QCOMPARE(object.value("seed").toString(), QString("18446744073709551557"));
    QCOMPARE(object.value("seed_mode").toString(), QString("increment"));
    QCOMPARE(object.value("width").toInt(), 512);
    p.seed = 0;
    p.seed_mode = SeedMode::Random;
    QCOMPARE(spstudio::ui::to_json(p).value("seed").toString(), QString("0"));
    QCOMPARE(spstudio::ui::to_json(p).value("seed_mode").toString(), QString("random"));
    p.seed = 9223372036854775808ULL;  // 2^63
    QCOMPARE(spstudio::ui::params_from_json(spstudio::ui::to_json(p)).seed, 9223372036854775808ULL);
  }

  void missing_fields_keep_their_defaults() {
    QCOMPARE(spstudio::ui::params_from_json(QJsonObject{}), GenerationParams{});
    const GenerationParams partial = spstudio::ui::params_from_json(QJsonObject{{"steps", 20}, {"seed", "7"}});
    GenerationParams expected;
    expected.steps = 20;
    expected.seed = 7;
    QCOMPARE(partial, expected);
  }

  void unknown_fields_are_ignored() {
    const GenerationParams p = spstudio::ui::params_from_json(QJsonObject{{"a_future_field", true}, {"images", 2}});
    QCOMPARE(p.images, 2);
  }

  void rejections_name_the_field_and_the_value_data() {
    QTest::addColumn<QString>("field");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("message");
    const QString multiple = "a positive multiple of 16";
    QTest::newRow("width not a multiple of 16")
        << "width" << QJsonValue(250) << "width: expected " + multiple + ", got 250";
    QTest::newRow("width zero") << "width" << QJsonValue(0) << "width: expected " + multiple + ", got 0";
    QTest::newRow("width negative") << "width" << QJsonValue(-16) << "width: expected " + multiple + ", got -16";
    QTest::newRow("width fraction") << "width" << QJsonValue(256.5) << "width: expected " + multiple + ", got 256.5";
    QTest::newRow("width string") << "width" << QJsonValue("256") << "width: expected " + multiple + ", got \"256\"";
    QTest::newRow("height") << "height" << QJsonValue(17) << "height: expected " + multiple + ", got 17";
    QTest::newRow("steps zero") << "steps" << QJsonValue(0) << "steps: expected a positive integer, got 0";
    QTest::newRow("steps string") << "steps" << QJsonValue("x") << "steps: expected a positive integer, got \"x\"";
    QTest::newRow("steps huge") << "steps" << QJsonValue(1e12)
                                << "steps: expected a positive integer, got 1000000000000";
    QTest::newRow("images") << "images" << QJsonValue(0) << "images: expected a positive integer, got 0";
    QTest::newRow("ulysses") << "ulysses_degree" << QJsonValue(0)
                             << "ulysses_degree: expected a positive integer, got 0";
    QTest::newRow("ring") << "ring_degree" << QJsonValue(-1) << "ring_degree: expected a positive integer, got -1";
    QTest::newRow("preview_interval") << "preview_interval" << QJsonValue(-1)
                                      << "preview_interval: expected a non-negative integer, got -1";
    QTest::newRow("device") << "device" << QJsonValue("gpu") << "device: expected one of auto, cpu, cuda, got \"gpu\"";
    QTest::newRow("device type") << "device" << QJsonValue(1) << "device: expected a string, got 1";
    QTest::newRow("seed_mode") << "seed_mode" << QJsonValue("sometimes")
                               << "seed_mode: expected one of fixed, increment, random, got \"sometimes\"";
    const QString seed_expected = "seed: expected a decimal string of an unsigned 64-bit integer, got ";
    QTest::newRow("seed number") << "seed" << QJsonValue(42) << seed_expected + "42";
    QTest::newRow("seed negative") << "seed" << QJsonValue("-1") << seed_expected + "\"-1\"";
    QTest::newRow("seed 2^64") << "seed" << QJsonValue("18446744073709551616")
                               << seed_expected + "\"18446744073709551616\"";
    QTest::newRow("seed blank") << "seed" << QJsonValue(" 42") << seed_expected + "\" 42\"";
    QTest::newRow("seed empty") << "seed" << QJsonValue("") << seed_expected + "\"\"";
    QTest::newRow("seed hex") << "seed" << QJsonValue("0x2a") << seed_expected + "\"0x2a\"";
    QTest::newRow("guidance") << "guidance" << QJsonValue("high") << "guidance: expected a finite number, got \"high\"";
    QTest::newRow("true_cfg_scale") << "true_cfg_scale" << QJsonValue(QJsonValue::Null)
                                    << "true_cfg_scale: expected a finite number, got null";
    QTest::newRow("model") << "model" << QJsonValue(3) << "model: expected a string, got 3";
    QTest::newRow("prompt") << "prompt" << QJsonValue(QJsonArray{"a"}) << "prompt: expected a string, got [\"a\"]";
    QTest::newRow("plan_path") << "plan_path" << QJsonValue(false) << "plan_path: expected a string, got false";
  }
  void rejections_name_the_field_and_the_value() {
    QFETCH(QString, field);
    QFETCH(QJsonValue, value);
    QFETCH(QString, message);
    QCOMPARE(rejection_message(QJsonObject{{field, value}}), message);
  }

  void accepted_edges() {
    const GenerationParams p = spstudio::ui::params_from_json(QJsonObject{{"width", 16},
                                                                          {"height", 4096},
                                                                          {"steps", 1},
                                                                          {"preview_interval", 0},
                                                                          {"seed", "18446744073709551615"},
                                                                          {"device", "cpu"},
                                                                          {"seed_mode", "random"}});
    QCOMPARE(p.width, 16);
    QCOMPARE(p.height, 4096);
    QCOMPARE(p.steps, 1);
    QCOMPARE(p.preview_interval, 0);
    QCOMPARE(p.seed, std::numeric_limits<quint64>::max());
    QCOMPARE(p.device, QString("cpu"));
    QCOMPARE(p.seed_mode, SeedMode::Random);
  }

  void seed_mode_names() {
    for (const SeedMode mode : {SeedMode::Fixed, SeedMode::Increment, SeedMode::Random})
      QCOMPARE(spstudio::ui::seed_mode_from_name(spstudio::ui::seed_mode_name(mode)), mode);
    QCOMPARE(spstudio::ui::seed_mode_name(SeedMode::Fixed), QString("fixed"));
    QCOMPARE(spstudio::ui::seed_mode_name(SeedMode::Increment), QString("increment"));
    QCOMPARE(spstudio::ui::seed_mode_name(SeedMode::Random), QString("random"));
    try {
      spstudio::ui::seed_mode_from_name("Fixed");
      QFAIL("an unknown name was accepted");
    } catch (const std::invalid_argument& e) {
      const QString message = e.what();
      QVERIFY2(message.contains("\"Fixed\""), qPrintable(message));
      QVERIFY2(message.contains("fixed, increment, random"), qPrintable(message));
    }
  }

  void fixed_and_increment_use_the_box_and_leave_the_generator_alone() {
    for (const SeedMode mode : {SeedMode::Fixed, SeedMode::Increment}) {
      GenerationParams p;
      p.seed = kBigSeed;
      p.seed_mode = mode;
      QRandomGenerator rng(1234);
      QRandomGenerator untouched(1234);
      QCOMPARE(spstudio::ui::seed_for_next_job(p, rng), kBigSeed);
      QCOMPARE(rng.generate64(), untouched.generate64());
    }
  }

  void random_draws_the_generators_next_value() {
    GenerationParams p;
    p.seed = 42;
    p.seed_mode = SeedMode::Random;
    QRandomGenerator rng(20240611);
    QRandomGenerator reference(20240611);
    const quint64 first = reference.generate64();
    const quint64 second = reference.generate64();
    QCOMPARE(spstudio::ui::seed_for_next_job(p, rng), first);
    QCOMPARE(spstudio::ui::seed_for_next_job(p, rng), second);
    QVERIFY(first != second);
    QCOMPARE(p.seed, quint64{42});  // the params were not touched
  }

  void seed_after_job_per_mode() {
    QCOMPARE(spstudio::ui::seed_after_job(SeedMode::Fixed, 42, 3), quint64{42});
    QCOMPARE(spstudio::ui::seed_after_job(SeedMode::Increment, 42, 3), quint64{45});
    QCOMPARE(spstudio::ui::seed_after_job(SeedMode::Increment, 42, 1), quint64{43});
    // The box keeps showing the drawn seed: the next Generate draws a new one anyway.
    QCOMPARE(spstudio::ui::seed_after_job(SeedMode::Random, kBigSeed, 3), kBigSeed);
    // 2^64 - 2 + 3 wraps to 1.
    QCOMPARE(spstudio::ui::seed_after_job(SeedMode::Increment, 18446744073709551614ULL, 3), quint64{1});
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, spstudio::ui::seed_after_job(SeedMode::Increment, 42, 0));
  }

  void to_job_maps_every_field() {
    const GenerationParams p = non_default_params();
    const std::string plan = R"({"rules": []})";
    const spstudio::wire::Job job = spstudio::ui::to_job(p, plan);
    QCOMPARE(job.job_id, std::uint64_t{0});
    QCOMPARE(job.model, std::string("/models/FLUX.1-dev"));
    QCOMPARE(job.prompt, std::string(u8"a fox in the snow, \"quoted\" \u00e9\u00e8 \u2603"));
    QCOMPARE(job.negative_prompt, std::string("blurry"));
    QCOMPARE(job.height, std::uint32_t{768});
    QCOMPARE(job.width, std::uint32_t{512});
    QCOMPARE(job.steps, std::uint32_t{28});
    QCOMPARE(job.guidance, 4.25);
    QCOMPARE(job.true_cfg_scale, 1.5);
    QCOMPARE(job.seed, std::uint64_t{kBigSeed});
    QCOMPARE(job.images, std::uint32_t{3});
    QCOMPARE(job.plan_json, plan);
    QCOMPARE(job.ulysses_degree, std::uint32_t{2});
    QCOMPARE(job.ring_degree, std::uint32_t{4});
    QCOMPARE(job.preview_interval, std::uint32_t{0});
    QCOMPARE(job.send_latents, false);
    QCOMPARE(job.profile, true);
  }

  void to_job_with_the_shipped_plan() {
    GenerationParams p;
    p.preview_interval = 2;
    const spstudio::wire::Job job = spstudio::ui::to_job(p, "");
    QVERIFY(job.plan_json.empty());
    QCOMPARE(job.model, std::string("builtin:tiny-flux"));
    QCOMPARE(job.seed, std::uint64_t{42});
    QCOMPARE(job.preview_interval, std::uint32_t{2});
  }

  void parallel_label_and_world() {
    GenerationParams p;
    p.ulysses_degree = 2;
    p.ring_degree = 1;
    QCOMPARE(p.parallel_label(), QString::fromUtf8(u8"U2\u00d7R1"));
    QCOMPARE(p.world(), 2);
    p.ulysses_degree = 3;
    p.ring_degree = 4;
    QCOMPARE(p.world(), 12);
    // The same label as the CLI and the reports print.
    const spstudio::ParallelConfig config{3, 4};
    QCOMPARE(p.parallel_label(), QString::fromStdString(config.to_string()));
  }
};

QTEST_MAIN(TestGenerationParams)
#include "test_generation_params.moc"
