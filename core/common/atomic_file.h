// SPDX-License-Identifier: Apache-2.0
// Writing a file so that readers see it complete or not at all: the data goes to a unique
// temporary file in the same folder (mkstemp: concurrent writers of one path never share it),
// which commit() flushes to disk and renames over the target; without commit() it is removed.
// Streaming, so a multi-gigabyte checkpoint is written one tensor at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace spstudio {

class AtomicFile {
 public:
  /// Throws std::runtime_error "cannot write '<path>': <step>: <reason>" on any I/O failure
  /// (here, in write() and in commit()).
  explicit AtomicFile(const std::filesystem::path& path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, std::size_t size);
  /// The file is created 0644 (an ordinary user file; mkstemp's 0600 would surprise).
  void commit();

 private:
  [[noreturn]] void fail(const std::string& step, int error);

  std::filesystem::path path_;
  std::string temporary_;
  int fd_ = -1;
};

/// The whole file in one call.
void write_file_atomically(const std::filesystem::path& path, const void* data, std::size_t size);
inline void write_file_atomically(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
  write_file_atomically(path, bytes.data(), bytes.size());
}

}  // namespace spstudio
