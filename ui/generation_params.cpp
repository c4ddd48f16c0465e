// SPDX-License-Identifier: Apache-2.0
// GenerationParams: JSON (the settings and the gallery's recall), the seed box's rules and the
// mapping onto wire::Job.
#include "ui/generation_params.h"

#include <QChar>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <QRandomGenerator>
#include <QStringList>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace spstudio::ui {
namespace {

const QStringList& seed_mode_names() {
  static const QStringList names{"fixed", "increment", "random"};
  return names;
}

const QStringList& device_names() {
  static const QStringList names{"auto", "cpu", "cuda"};
  return names;
}

/// The value as JSON text, so that an error shows exactly what the file holds ("x" vs x vs 1.5).
QString json_text(const QJsonValue& value) {
  if (value.isUndefined()) return "nothing";
  const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
  return QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));  // drop the array's brackets
}

[[noreturn]] void reject(const char* field, const QString& expected, const QJsonValue& value) {
  throw std::runtime_error(QString("%1: expected %2, got %3").arg(field, expected, json_text(value)).toStdString());
}

/// Settings files are edited by hand at times: an integer is a JSON number with no fraction that
/// fits an int. `accept` decides the range; `expected` words it for the error.
int read_int(const QJsonObject& object, const char* field, int current, bool (*accept)(int), const QString& expected) {
  const QJsonValue value = object.value(field);
  if (value.isUndefined()) return current;
  if (!value.isDouble()) reject(field, expected, value);
  const double number = value.toDouble();
  if (!std::isfinite(number) || number != std::floor(number) ||
      number < static_cast<double>(std::numeric_limits<int>::min()) ||
      number > static_cast<double>(std::numeric_limits<int>::max()))
    reject(field, expected, value);
  const int result = static_cast<int>(number);
  if (!accept(result)) reject(field, expected, value);
  return result;
}

double read_number(const QJsonObject& object, const char* field, double current) {
  const QJsonValue value = object.value(field);
  if (value.isUndefined()) return current;
  if (!value.isDouble() || !std::isfinite(value.toDouble())) reject(field, "a finite number", value);
  return value.toDouble();
}

QString read_string(const QJsonObject& object, const char* field, const QString& current) {
  const QJsonValue value = object.value(field);
  if (value.isUndefined()) return current;
  if (!value.isString()) reject(field, "a string", value);
  return value.toString();
}

QString one_of(const QStringList& names) {
  return "one of " + names.join(", ");
}

quint64 read_seed(const QJsonObject& object, quint64 current) {
  const QJsonValue value = object.value("seed");
  if (value.isUndefined()) return current;
  const QString expected = "a decimal string of an unsigned 64-bit integer";
  if (!value.isString()) reject("seed", expected, value);
  const QString text = value.toString();
  // QString::toULongLong alone would accept surrounding blanks and a sign.
  if (text.isEmpty()) reject("seed", expected, value);
  for (const QChar c : text)
    if (c < QChar('0') || c > QChar('9')) reject("seed", expected, value);
  bool ok = false;
  const quint64 seed = text.toULongLong(&ok, 10);
  if (!ok) reject("seed", expected, value);  // above 2^64 - 1
  return seed;
}

bool positive(int v) {
  return v >= 1;
}
bool non_negative(int v) {
  return v >= 0;
}
bool positive_multiple_of_16(int v) {
  return v >= 16 && v % 16 == 0;
}

}  // namespace

QString seed_mode_name(SeedMode mode) {
  switch (mode) {
    case SeedMode::Fixed:
      return "fixed";
    case SeedMode::Increment:
      return "increment";
    case SeedMode::Random:
      return "random";
  }
  return "fixed";
}

SeedMode seed_mode_from_name(const QString& name) {
  if (name == "fixed") return SeedMode::Fixed;
  if (name == "increment") return SeedMode::Increment;
  if (name == "random") return SeedMode::Random;
  throw std::invalid_argument(
      QString("unknown seed mode \"%1\" (expected %2)").arg(name, seed_mode_names().join(", ")).toStdString());
}

QString GenerationParams::parallel_label() const {
  return QString("U%1%2R%3").arg(ulysses_degree).arg(QChar(0x00D7)).arg(ring_degree);
}

bool GenerationParams::operator==(const GenerationParams& o) const {
  return model == o.model && prompt == o.prompt && negative_prompt == o.negative_prompt && width == o.width &&
         height == o.height && steps == o.steps && guidance == o.guidance && true_cfg_scale == o.true_cfg_scale &&
         seed == o.seed && seed_mode == o.seed_mode && images == o.images && ulysses_degree == o.ulysses_degree &&
         ring_degree == o.ring_degree && device == o.device && plan_path == o.plan_path &&
         preview_interval == o.preview_interval;
}

QJsonObject to_json(const GenerationParams& params) {
  QJsonObject object;
  object["model"] = params.model;
  object["prompt"] = params.prompt;
  object["negative_prompt"] = params.negative_prompt;
  object["width"] = params.width;
  object["height"] = params.height;
  object["steps"] = params.steps;
  object["guidance"] = params.guidance;
  object["true_cfg_scale"] = params.true_cfg_scale;
  object["seed"] = QString::number(params.seed);
  object["seed_mode"] = seed_mode_name(params.seed_mode);
  object["images"] = params.images;
  object["ulysses_degree"] = params.ulysses_degree;
  object["ring_degree"] = params.ring_degree;
  object["device"] = params.device;
  object["plan_path"] = params.plan_path;
  object["preview_interval"] = params.preview_interval;
  return object;
}

GenerationParams params_from_json(const QJsonObject& object) {
  GenerationParams p;
  p.model = read_string(object, "model", p.model);
  p.prompt = read_string(object, "prompt", p.prompt);
  p.negative_prompt = read_string(object, "negative_prompt", p.negative_prompt);
  const QString multiple_of_16 = "a positive multiple of 16";
  p.width = read_int(object, "width", p.width, positive_multiple_of_16, multiple_of_16);
  p.height = read_int(object, "height", p.height, positive_multiple_of_16, multiple_of_16);
  p.steps = read_int(object, "steps", p.steps, positive, "a positive integer");
  p.guidance = read_number(object, "guidance", p.guidance);
  p.true_cfg_scale = read_number(object, "true_cfg_scale", p.true_cfg_scale);
  p.seed = read_seed(object, p.seed);
  const QString mode = read_string(object, "seed_mode", seed_mode_name(p.seed_mode));
  if (!seed_mode_names().contains(mode)) reject("seed_mode", one_of(seed_mode_names()), object.value("seed_mode"));
  p.seed_mode = seed_mode_from_name(mode);
  p.images = read_int(object, "images", p.images, positive, "a positive integer");
  p.ulysses_degree = read_int(object, "ulysses_degree", p.ulysses_degree, positive, "a positive integer");
  p.ring_degree = read_int(object, "ring_degree", p.ring_degree, positive, "a positive integer");
  p.device = read_string(object, "device", p.device);
  if (!device_names().contains(p.device)) reject("device", one_of(device_names()), object.value("device"));
  p.plan_path = read_string(object, "plan_path", p.plan_path);
  p.preview_interval = read_int(object, "preview_interval", p.preview_interval, non_negative, "a non-negative integer");
  return p;
}

quint64 seed_for_next_job(const GenerationParams& params, QRandomGenerator& rng) {
  return params.seed_mode == SeedMode::Random ? rng.generate64() : params.seed;
}

quint64 seed_after_job(SeedMode mode, quint64 job_seed, int images) {
  if (images < 1)
    throw std::invalid_argument("seed_after_job: images must be at least 1, got " + std::to_string(images));
  switch (mode) {
    case SeedMode::Fixed:
    case SeedMode::Random:  // the box keeps showing the seed that was drawn for the job
      return job_seed;
    case SeedMode::Increment:
      // The job used job_seed .. job_seed + images - 1, so the next one starts just past them.
      // Unsigned arithmetic wraps at 2^64, which keeps every seed distinct over a full cycle.
      return job_seed + static_cast<quint64>(images);
  }
  return job_seed;
}

wire::Job to_job(const GenerationParams& params, const std::string& plan_json) {
  wire::Job job;
  job.job_id = 0;
  job.model = params.model.toStdString();
  job.prompt = params.prompt.toStdString();
  job.negative_prompt = params.negative_prompt.toStdString();
  job.height = static_cast<std::uint32_t>(params.height);
  job.width = static_cast<std::uint32_t>(params.width);
  job.steps = static_cast<std::uint32_t>(params.steps);
  job.guidance = params.guidance;
  job.true_cfg_scale = params.true_cfg_scale;
  job.seed = params.seed;
  job.images = static_cast<std::uint32_t>(params.images);
  job.plan_json = plan_json;
  job.ulysses_degree = static_cast<std::uint32_t>(params.ulysses_degree);
  job.ring_degree = static_cast<std::uint32_t>(params.ring_degree);
  job.preview_interval = static_cast<std::uint32_t>(params.preview_interval);
  job.send_latents = false;  // the GUI previews from the RGB tiles; full latents cost bandwidth
  job.profile = true;        // the timeline needs the ranges
  return job;
}

}  // namespace spstudio::ui
