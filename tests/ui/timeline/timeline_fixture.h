// SPDX-License-Identifier: Apache-2.0
// The recorded 4-rank trace (spstudio-cli generate --trace-out, U2×R2, 2 steps) for the timeline
// tests: as ranges through the importer, and as plain counts read with QJsonDocument so that
// expectations do not go through the code under test.
#pragma once

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <vector>

#include "common/profiling/chrome_trace_import.h"

namespace spstudio::testing {

inline QString trace_fixture_path() {
  return QStringLiteral(SPSTUDIO_TESTS_DATA_DIR "/trace-tiny-flux-128-2x2.json");
}

inline std::vector<profiling::NamedRange> trace_fixture_ranges() {
  return profiling::ranges_from_chrome_trace(profiling::read_trace_file(trace_fixture_path().toStdString()));
}

/// The fixture's complete ("X") events, straight from the JSON.
inline QJsonArray trace_fixture_events() {
  QFile file(trace_fixture_path());
  if (!file.open(QIODevice::ReadOnly)) return {};
  QJsonArray complete;
  for (const QJsonValue event : QJsonDocument::fromJson(file.readAll()).object().value("traceEvents").toArray()) {
    if (event.toObject().value("ph").toString() == "X") complete.append(event);
  }
  return complete;
}

/// Events per name (key "name") or per (name, tid) (key "name/tid").
inline QMap<QString, int> trace_fixture_counts(bool per_thread) {
  QMap<QString, int> counts;
  for (const QJsonValue event : trace_fixture_events()) {
    const QJsonObject e = event.toObject();
    QString key = e.value("name").toString();
    if (per_thread) key += "/" + QString::number(e.value("tid").toInt());
    ++counts[key];
  }
  return counts;
}

}  // namespace spstudio::testing
