// SPDX-License-Identifier: Apache-2.0
#include "common/atomic_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace spstudio {

AtomicFile::AtomicFile(const std::filesystem::path& path) : path_(path), temporary_(path.string() + ".XXXXXX") {
  fd_ = ::mkstemp(temporary_.data());
  if (fd_ < 0) {
    const int error = errno;
    temporary_.clear();  // nothing was created
    fail("creating a temporary file", error);
  }
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!temporary_.empty()) ::unlink(temporary_.c_str());
}

void AtomicFile::fail(const std::string& step, int error) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temporary_.empty()) ::unlink(temporary_.c_str());
  temporary_.clear();
  throw std::runtime_error("cannot write '" + path_.string() + "': " + step + ": " + std::strerror(error));
}

void AtomicFile::write(const void* data, std::size_t size) {
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  while (size > 0) {
    const ssize_t written = ::write(fd_, bytes, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      fail("writing", errno);
    }
    bytes += written;
    size -= static_cast<std::size_t>(written);
  }
}

void AtomicFile::commit() {
  if (::fchmod(fd_, 0644) != 0) fail("setting permissions", errno);
  if (::fsync(fd_) != 0) fail("flushing to disk", errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("closing", errno);
  if (std::rename(temporary_.c_str(), path_.c_str()) != 0) fail("renaming the temporary file", errno);
  temporary_.clear();  // it is the target now
}

void write_file_atomically(const std::filesystem::path& path, const void* data, std::size_t size) {
  AtomicFile file(path);
  file.write(data, size);
  file.commit();
}

}  // namespace spstudio
