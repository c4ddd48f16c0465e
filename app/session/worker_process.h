// SPDX-License-Identifier: Apache-2.0
// One spworker process: started with PR_SET_PDEATHSIG(SIGKILL) set in the child (no orphan even if
// the supervisor is killed), its merged stdout/stderr kept as a bounded tail of lines for failure
// reports, and one `ended` signal saying how it ended.
#pragma once

#include <QObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace spstudio::app {

class WorkerProcess : public QObject {
  Q_OBJECT
 public:
  static constexpr int kTailLines = 30;
  static constexpr int kMaxLineChars = 500;

  WorkerProcess(int rank, QObject* parent = nullptr);
  ~WorkerProcess() override;  ///< kills the process if it still runs, and reaps it

  /// Starts the process and waits until it runs. Returns an empty string, or why it could not start.
  QString start(const QString& program, const QStringList& arguments, const QProcessEnvironment& environment);

  int rank() const { return rank_; }
  qint64 pid() const { return pid_; }
  bool running() const;
  bool has_ended() const { return ended_; }
  /// The last lines the process printed (stdout and stderr together), oldest first.
  QStringList output_tail() const { return tail_; }

  void terminate();  ///< SIGTERM
  void kill();       ///< SIGKILL (also ends a stopped process)
  /// Waits up to `ms` for the process to end; true when it has.
  bool wait(int ms);

 signals:
  /// Once, when the process has ended: `signal` is non-zero when a signal killed it, else
  /// `exit_code` is its exit status.
  void ended(int rank, int exit_code, int signal);
  void outputLine(int rank, QString line);

 private:
  void read_output(bool flush_partial_line);
  void on_finished(int exit_code, QProcess::ExitStatus status);

  int rank_;
  qint64 pid_ = 0;
  bool ended_ = false;
  QProcess process_;
  QByteArray partial_line_;
  QStringList tail_;
};

}  // namespace spstudio::app
