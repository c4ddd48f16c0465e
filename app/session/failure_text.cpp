// SPDX-License-Identifier: Apache-2.0
#include "app/session/failure_text.h"

#include <cstring>

#include "common/wire/messages.h"

namespace spstudio::app {

QString signal_name(int signal) {
  // sigabbrev_np (glibc 2.32) gives "KILL" for 9; it returns null for numbers without a name.
  if (const char* abbreviation = ::sigabbrev_np(signal)) return QString("SIG") + abbreviation;
  return QString("signal %1").arg(signal);
}

QString describe_worker(int rank, qint64 pid) {
  if (pid <= 0) return QString("rank %1").arg(rank);
  return QString("rank %1 (pid %2)").arg(rank).arg(pid);
}

QString describe_process_end(int rank, qint64 pid, int exit_code, int signal) {
  const QString who = describe_worker(rank, pid);
  if (signal != 0) {
    return QString("%1 was killed by signal %2 (%3)").arg(who).arg(signal).arg(signal_name(signal));
  }
  if (exit_code == 0) return who + " exited (code 0) while the pool was running";
  return QString("%1 exited with code %2 (%3)").arg(who).arg(exit_code).arg(wire::describe_exit_code(exit_code));
}

QString with_details(const QString& headline, const QString& last_error, const QStringList& output_tail) {
  QString text = headline;
  if (!last_error.isEmpty()) text += "\nits last error: " + last_error;
  if (!output_tail.isEmpty()) text += "\nits last output:\n  " + output_tail.join("\n  ");
  return text;
}

}  // namespace spstudio::app
