// SPDX-License-Identifier: Apache-2.0
#include "app/cli/signal_watch.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <stdexcept>

namespace spstudio::cli {
namespace {

int g_pipe[2] = {-1, -1};

void on_signal(int signal) {
  const unsigned char byte = static_cast<unsigned char>(signal);
  const int saved_errno = errno;
  [[maybe_unused]] const ssize_t ignored = ::write(g_pipe[1], &byte, 1);
  errno = saved_errno;
}

}  // namespace

SignalWatch::SignalWatch(QObject* parent) : QObject(parent) {
  if (g_pipe[0] >= 0) throw std::logic_error("only one SignalWatch may exist at a time");
  if (::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("cannot create the signal pipe");
  notifier_ = std::make_unique<QSocketNotifier>(g_pipe[0], QSocketNotifier::Read);
  connect(notifier_.get(), &QSocketNotifier::activated, this, &SignalWatch::on_readable);
  struct sigaction action = {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

SignalWatch::~SignalWatch() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  notifier_.reset();
  ::close(g_pipe[0]);
  ::close(g_pipe[1]);
  g_pipe[0] = g_pipe[1] = -1;
}

void SignalWatch::on_readable() {
  unsigned char byte = 0;
  while (::read(g_pipe[0], &byte, 1) == 1) {
    if (received_ == 0) {
      received_ = byte;
      emit interrupted(byte);
    }
  }
}

}  // namespace spstudio::cli
