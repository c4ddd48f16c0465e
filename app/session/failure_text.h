// SPDX-License-Identifier: Apache-2.0
// The sentences a pool failure is reported with: which rank, which process, how it ended (typed
// exit code or signal), what it said last. The first line stands alone (a status bar, the CLI's
// error line); the details follow on later lines.
#pragma once

#include <QString>
#include <QStringList>

namespace spstudio::app {

/// "SIGKILL" for 9; "signal 64" when the number has no name.
QString signal_name(int signal);

/// "rank 1 (pid 4242)"; "rank 1" when the pid is unknown.
QString describe_worker(int rank, qint64 pid);

/// "rank 1 (pid 4242) was killed by signal 9 (SIGKILL)" or
/// "rank 1 (pid 4242) exited with code 5 (the plan is invalid)".
QString describe_process_end(int rank, qint64 pid, int exit_code, int signal);

/// `headline`, then the worker's last Error message and the last lines of its output, each on
/// lines of their own when there are any.
QString with_details(const QString& headline, const QString& last_error, const QStringList& output_tail);

}  // namespace spstudio::app
