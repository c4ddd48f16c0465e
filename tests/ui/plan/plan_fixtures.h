// SPDX-License-Identifier: Apache-2.0
// The plan editor tests' fixtures: the tiny-flux manifest (spworker --describe at 256x256) and
// plans/flux.json, read from the source tree.
#pragma once

#include <QFile>
#include <QString>
#include <stdexcept>
#include <string>

#include "common/manifest.h"

namespace plan_fixtures {

inline std::string read_text(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) throw std::runtime_error("cannot read " + path.toStdString());
  return file.readAll().toStdString();
}

inline spstudio::ModelManifest tiny_flux_manifest() {
  return spstudio::manifest_from_json(
      read_text(QStringLiteral(SPSTUDIO_TESTS_DATA_DIR "/tiny-flux-256.manifest.json")));
}

inline QString flux_plan_path() {
  return QStringLiteral(SPSTUDIO_PLANS_DIR "/flux.json");
}

inline std::string flux_plan_text() {
  return read_text(flux_plan_path());
}

/// A plan text with the given entries object body, e.g. R"("proj_out": { "gather": [{ "dim": 1 }] })".
inline std::string plan_with(const std::string& entries) {
  return R"({ "format": "spstudio-plan/1", "model": "FluxTransformer2DModel", "entries": { )" + entries + " } }";
}

}  // namespace plan_fixtures
