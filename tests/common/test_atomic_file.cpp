// SPDX-License-Identifier: Apache-2.0
#include "common/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "error_text.h"

namespace spstudio {
namespace {

using testing::error_of;

struct TempFolder {
  std::filesystem::path path;
  TempFolder() {
    std::string name = (std::filesystem::temp_directory_path() / "spstudio-atomic-XXXXXX").string();
    path = ::mkdtemp(name.data());
  }
  ~TempFolder() { std::filesystem::remove_all(path); }
  int entries() const {
    int n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(path))
      ++n;
    return n;
  }
};

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(AtomicFile, CommitReplacesTheTargetWithAnOrdinaryFile) {
  const TempFolder folder;
  const auto target = folder.path / "out.bin";
  write_file_atomically(target, std::vector<std::uint8_t>{'o', 'l', 'd'});
  {
    AtomicFile file(target);
    file.write("new ", 4);
    file.write("data", 4);
    EXPECT_EQ(read_all(target), "old") << "readers see the old file until commit";
    file.commit();
  }
  EXPECT_EQ(read_all(target), "new data");
  struct stat st {};
  ASSERT_EQ(::stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_EQ(folder.entries(), 1) << "no temporary file is left";
}

TEST(AtomicFile, WithoutCommitNothingAppearsAndNothingIsLeft) {
  const TempFolder folder;
  {
    AtomicFile file(folder.path / "never.bin");
    file.write("x", 1);
  }
  EXPECT_EQ(folder.entries(), 0);
}

TEST(AtomicFile, ErrorsNameThePathAndTheStep) {
  const TempFolder folder;
  const auto target = folder.path / "missing" / "out.bin";
  EXPECT_CONTAINS(error_of([&] { write_file_atomically(target, "x", 1); }),
                  "cannot write '" + target.string() + "': creating a temporary file: No such file or directory");
}

}  // namespace
}  // namespace spstudio
