// SPDX-License-Identifier: Apache-2.0
#include "models/weights/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "models/weights/weights_error.h"

namespace spstudio::models {
namespace {

/// Closes the descriptor on every path out of the constructor; the mapping outlives it.
struct FdCloser {
  int fd;
  ~FdCloser() { ::close(fd); }
};

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what, int error) {
  throw WeightsError("cannot " + what + " '" + path.string() + "': " + std::strerror(error));
}

}  // namespace

MappedFile::MappedFile(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(path, "open", errno);
  const FdCloser closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) fail(path, "stat", errno);
  if (!S_ISREG(info.st_mode)) throw WeightsError("cannot read '" + path.string() + "': not a regular file");
  size_ = static_cast<std::size_t>(info.st_size);
  if (size_ == 0) return;  // mmap rejects a zero length
  // Private and writable: a stray in-place op on a view copies a page instead of faulting.
  // MAP_NORESERVE: the pages are the file's, so reserving swap for all of them would be waste.
  void* mapping = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE, fd, 0);
  if (mapping == MAP_FAILED) fail(path, "map", errno);
  data_ = static_cast<std::uint8_t*>(mapping);
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

}  // namespace spstudio::models
