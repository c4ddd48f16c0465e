// SPDX-License-Identifier: Apache-2.0
#include "app/session/worker_process.h"

#include <sys/prctl.h>

#include <algorithm>

#include <csignal>

namespace spstudio::app {

WorkerProcess::WorkerProcess(int rank, QObject* parent) : QObject(parent), rank_(rank) {
  process_.setProcessChannelMode(QProcess::MergedChannels);
  // Runs in the child between fork and exec: the kernel kills the worker when the thread that
  // started it (the supervisor's event loop thread) dies, however the supervisor ends.
  process_.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
  connect(&process_, &QProcess::readyReadStandardOutput, this, [this] { read_output(false); });
  connect(&process_, &QProcess::finished, this, &WorkerProcess::on_finished);
}

WorkerProcess::~WorkerProcess() {
  if (process_.state() != QProcess::NotRunning) {
    process_.kill();
    process_.waitForFinished(2000);
  }
}

QString WorkerProcess::start(const QString& program, const QStringList& arguments,
                             const QProcessEnvironment& environment) {
  process_.setProgram(program);
  process_.setArguments(arguments);
  process_.setProcessEnvironment(environment);
  process_.start();
  if (!process_.waitForStarted(10000)) {
    return QString("cannot start worker rank %1 (%2): %3").arg(rank_).arg(program, process_.errorString());
  }
  pid_ = process_.processId();
  return {};
}

bool WorkerProcess::running() const {
  return process_.state() != QProcess::NotRunning;
}

void WorkerProcess::terminate() {
  if (running()) process_.terminate();
}

void WorkerProcess::kill() {
  if (running()) process_.kill();
}

bool WorkerProcess::wait(int ms) {
  if (!running()) return true;
  return process_.waitForFinished(ms);
}

void WorkerProcess::read_output(bool flush_partial_line) {
  partial_line_ += process_.readAll();
  qsizetype newline;
  while ((newline = partial_line_.indexOf('\n')) >= 0 || (flush_partial_line && !partial_line_.isEmpty()) ||
         partial_line_.size() > kMaxLineChars) {
    const qsizetype take = newline >= 0 ? newline : std::min<qsizetype>(partial_line_.size(), kMaxLineChars);
    QString line = QString::fromUtf8(partial_line_.left(std::min<qsizetype>(take, kMaxLineChars)));
    partial_line_.remove(0, newline >= 0 ? newline + 1 : take);
    if (line.endsWith('\r')) line.chop(1);
    tail_.append(line);
    if (tail_.size() > kTailLines) tail_.removeFirst();
    emit outputLine(rank_, line);
  }
}

void WorkerProcess::on_finished(int exit_code, QProcess::ExitStatus status) {
  read_output(true);
  if (ended_) return;
  ended_ = true;
  // On Unix QProcess reports the terminating signal's number as the exit code of a CrashExit.
  if (status == QProcess::CrashExit) {
    emit ended(rank_, -1, exit_code);
  } else {
    emit ended(rank_, exit_code, 0);
  }
}

}  // namespace spstudio::app
