// SPDX-License-Identifier: Apache-2.0
#include "common/atomic_write.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace spstudio {

void write_file_atomically(const std::string& path, const void* data, std::size_t size) {
  // mkstemp gives a name no concurrent writer of the same path shares.
  std::string temporary = path + ".XXXXXX";
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) throw std::runtime_error("cannot write " + path + ": creating a temporary file: " + std::strerror(errno));
  auto fail = [&](const char* step, int error, bool close_fd) {
    if (close_fd) ::close(fd);
    ::unlink(temporary.c_str());
    throw std::runtime_error("cannot write " + path + ": " + step + ": " + std::strerror(error));
  };
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  std::size_t written = 0;
  while (written < size) {
    const ssize_t n = ::write(fd, bytes + written, size - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("writing", errno, true);
    written += static_cast<std::size_t>(n);
  }
  // mkstemp creates the file 0600; an output file is an ordinary user file. (Reading the umask
  // would mean setting it, which races with other threads.)
  if (::fchmod(fd, 0644) != 0) fail("setting permissions", errno, true);
  if (::fsync(fd) != 0) fail("flushing to disk", errno, true);
  if (::close(fd) != 0) fail("closing", errno, false);
  if (std::rename(temporary.c_str(), path.c_str()) != 0) fail("renaming the temporary file", errno, false);
}

}  // namespace spstudio
