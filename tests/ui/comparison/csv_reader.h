// SPDX-License-Identifier: Apache-2.0
// A small RFC 4180 reader for the tests: records of fields, quoted fields with doubled quotes, CRLF
// line ends. Written apart from the code under test so the CSV it writes is read back independently.
#pragma once

#include <QString>
#include <QStringList>
#include <QVector>

namespace spstudio::testing {

/// Returns the records; sets *crlf_only to false if a record ends with a bare LF.
inline QVector<QStringList> read_csv(const QString& text, bool* crlf_only = nullptr) {
  QVector<QStringList> records;
  QStringList record;
  QString field;
  bool quoted = false, field_started = false;
  if (crlf_only) *crlf_only = true;
  for (int i = 0; i < text.size(); ++i) {
    const QChar c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == ',') {
      record << field;
      field.clear();
      field_started = false;
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
        ++i;
      else if (crlf_only)
        *crlf_only = false;
      record << field;
      records << record;
      record.clear();
      field.clear();
      field_started = false;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (field_started || !record.isEmpty()) records << (record << field);
  return records;
}

}  // namespace spstudio::testing
