// SPDX-License-Identifier: Apache-2.0
#include "app/session/socket_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <stdexcept>
#include <string>

namespace spstudio::app {

PrivateSocketDir::PrivateSocketDir() : dir_(QDir::tempPath() + "/spstudio-XXXXXX") {
  if (!dir_.isValid()) {
    throw std::runtime_error("cannot create the supervisor's socket directory under " + QDir::tempPath().toStdString() +
                             ": " + dir_.errorString().toStdString());
  }
  // mkdtemp already creates it 0700; set and check it anyway, the socket's privacy rests on it.
  QFile::setPermissions(dir_.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
  if (!is_owner_only_directory(dir_.path())) {
    throw std::runtime_error("the supervisor's socket directory " + dir_.path().toStdString() +
                             " could not be made private to this user (mode 0700)");
  }
}

QString PrivateSocketDir::path() const {
  return dir_.path();
}

QString PrivateSocketDir::socket_path() const {
  return dir_.filePath("s");
}

bool is_owner_only_directory(const QString& path) {
  struct stat st {};
  if (::stat(QFile::encodeName(path).constData(), &st) != 0) return false;
  return S_ISDIR(st.st_mode) && (st.st_mode & 077) == 0 && st.st_uid == ::geteuid();
}

}  // namespace spstudio::app
