// SPDX-License-Identifier: Apache-2.0
// The recorded benchmark sweeps of tests/data for the comparison tests: as a BenchRun (what the view
// is fed) and as plain JSON (where the tests take their expected numbers from, independently).
#pragma once

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QtTest>

#include "common/profiling/bench_results.h"

namespace spstudio::testing {

inline const QString kBench256 = QStringLiteral("bench-tiny-flux-256-4configs.json");
inline const QString kBench384 = QStringLiteral("bench-tiny-flux-384-4configs.json");
constexpr double kBytesPerMiB = 1024.0 * 1024.0;

inline QString fixture_path(const QString& name) {
  return QStringLiteral(SPSTUDIO_TESTS_DATA_DIR "/") + name;
}

inline QByteArray fixture_bytes(const QString& name) {
  QFile file(fixture_path(name));
  if (!file.open(QIODevice::ReadOnly)) qFatal("cannot read fixture %s", qPrintable(file.fileName()));
  return file.readAll();
}

/// The sweep's "configs" array, read with Qt's JSON parser (not the code under test).
inline QJsonArray fixture_configs(const QString& name) {
  return QJsonDocument::fromJson(fixture_bytes(name)).object().value(QStringLiteral("configs")).toArray();
}

inline bench::BenchRun fixture_run(const QString& name) {
  return bench::bench_from_json(fixture_bytes(name).toStdString());
}

inline double field(const QJsonValue& config, const char* object, const char* name) {
  return config.toObject().value(QLatin1String(object)).toObject().value(QLatin1String(name)).toDouble();
}
inline double field(const QJsonValue& config, const char* name) {
  return config.toObject().value(QLatin1String(name)).toDouble();
}
inline QString label_of(const QJsonValue& config) {
  return config.toObject().value(QStringLiteral("config")).toString();
}

/// The first configuration of `configs` with this label ("1x1").
inline QJsonObject config_named(const QJsonArray& configs, const QString& label) {
  for (const QJsonValue& c : configs)
    if (label_of(c) == label) return c.toObject();
  qFatal("no configuration %s in the fixture", qPrintable(label));
}

}  // namespace spstudio::testing
