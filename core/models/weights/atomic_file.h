// SPDX-License-Identifier: Apache-2.0
// Writing a file so that it appears complete or not at all: data goes to `path + ".tmp"`, which is
// flushed to disk and renamed over `path` on commit(), and removed when commit() is never reached.
#pragma once

#include <cstddef>
#include <filesystem>

namespace spstudio::models {

class AtomicFile {
 public:
  /// Throws WeightsError naming the path when the temporary file cannot be created.
  explicit AtomicFile(const std::filesystem::path& path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, std::size_t size);
  void commit();

 private:
  std::filesystem::path path_, temporary_;
  int fd_ = -1;
};

}  // namespace spstudio::models
