// SPDX-License-Identifier: Apache-2.0
// The supervisor's private socket directory: a fresh directory under the system temp path that only
// this user may enter (0700), holding the QLocalServer socket "s". Other users cannot connect to a
// socket inside it, and the session token is the second lock for this user's own processes.
#pragma once

#include <QString>
#include <QTemporaryDir>

namespace spstudio::app {

class PrivateSocketDir {
 public:
  /// Creates the directory; throws std::runtime_error saying why when it cannot be created or made
  /// owner-only. Removed (with the socket) on destruction.
  PrivateSocketDir();
  PrivateSocketDir(const PrivateSocketDir&) = delete;
  PrivateSocketDir& operator=(const PrivateSocketDir&) = delete;

  QString path() const;
  /// The socket's full path inside the directory.
  QString socket_path() const;

 private:
  QTemporaryDir dir_;
};

/// True when `path` is a directory that only its owner can read, write or enter (mode & 077 == 0).
bool is_owner_only_directory(const QString& path);

}  // namespace spstudio::app
