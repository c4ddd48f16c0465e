// SPDX-License-Identifier: Apache-2.0
// Everything a person sets for one generation, as one value: what the queue snapshots, the gallery
// recalls, the settings persist, and what becomes a wire::Job. Pure value type (Qt Core only).
#pragma once

#include <QJsonObject>
#include <QString>
#include <QtGlobal>
#include <string>

#include "common/wire/messages.h"

class QRandomGenerator;

namespace spstudio::ui {

inline constexpr const char* kDefaultModel = "builtin:tiny-flux";

/// How the seed box changes after each Generate (UX.md "Seed control").
enum class SeedMode {
  Fixed,      ///< every generation uses the seed in the box
  Increment,  ///< the box advances by the number of images after each generation
  Random,     ///< each generation draws a new seed (shown in the box and recorded in the gallery)
};
QString seed_mode_name(SeedMode mode);  ///< "fixed", "increment", "random"
/// Throws std::invalid_argument naming the text and the accepted names.
SeedMode seed_mode_from_name(const QString& name);

struct GenerationParams {
  QString model = kDefaultModel;  ///< "builtin:…" or a diffusers pipeline folder
  QString prompt;
  QString negative_prompt;
  int width = 256, height = 256;  ///< image pixels, multiples of 16
  int steps = 8;
  double guidance = 3.5;        ///< distilled guidance (Flux.1-dev)
  double true_cfg_scale = 1.0;  ///< 1: no negative-prompt pass
  quint64 seed = 42;
  SeedMode seed_mode = SeedMode::Fixed;
  int images = 1;  ///< per queue item; image i uses seed + i
  int ulysses_degree = 1, ring_degree = 1;
  QString device = "auto";   ///< auto | cpu | cuda
  QString plan_path;         ///< empty: the model family's shipped plan
  int preview_interval = 1;  ///< a live preview every N steps (0: none)

  int world() const { return ulysses_degree * ring_degree; }
  QString parallel_label() const;  ///< "U2×R1"
  bool operator==(const GenerationParams& o) const;
  bool operator!=(const GenerationParams& o) const { return !(*this == o); }
};

/// Every field, named as in the struct ("seed" is a decimal string: JSON numbers lose 64-bit seeds).
QJsonObject to_json(const GenerationParams& params);
/// Missing fields keep their defaults (older settings load); a field of the wrong type or out of
/// range throws std::runtime_error naming it ("steps: expected a positive integer, got \"x\"").
GenerationParams params_from_json(const QJsonObject& object);

/// The seed the next queue item uses: the box's seed, or a fresh one from `rng` in Random mode.
quint64 seed_for_next_job(const GenerationParams& params, QRandomGenerator& rng);
/// What the seed box shows after a job with `job_seed` and `images` images was queued.
quint64 seed_after_job(SeedMode mode, quint64 job_seed, int images);

/// The job the workers run for `params` (job_id 0: the Session assigns it); plan_json is the plan
/// file's contents, empty for the shipped plan.
wire::Job to_job(const GenerationParams& params, const std::string& plan_json);

}  // namespace spstudio::ui
