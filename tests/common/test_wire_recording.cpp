// SPDX-License-Identifier: Apache-2.0
// Recorded streams: what RecordingWriter writes, read_recording reads back; a damaged file is a
// ProtocolError that names the file and the byte where it went wrong.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "common/wire/recording.h"
#include "error_text.h"
#include "wire_samples.h"

namespace spstudio::wire {
namespace {

namespace fs = std::filesystem;
using spstudio::testing::error_of;
using testing::message_difference;
using testing::sample_messages;

class WireRecording : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("spstudio_wire_recording_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write_samples(const std::string& name) {
    const fs::path path = dir_ / name;
    RecordingWriter writer(path);
    for (const Message& m : sample_messages())
      writer.write(m);
    writer.flush();
    return path;
  }

  fs::path dir_;
};

TEST_F(WireRecording, WriteThenReadGivesEveryMessageBack) {
  const fs::path path = write_samples("run.sprec");
  const std::vector<Message> expected = sample_messages();
  const std::vector<Message> got = read_recording(path);
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_EQ(message_difference(got[i], expected[i]), "") << i;

  { RecordingWriter preamble_only(dir_ / "empty_run.sprec"); }  // a valid, empty recording
  EXPECT_TRUE(read_recording(dir_ / "empty_run.sprec").empty());
}

TEST_F(WireRecording, TruncatedRecordingNamesThePathAndTheFrame) {
  const fs::path path = write_samples("cut.sprec");
  const auto size = fs::file_size(path);
  fs::resize_file(path, size - 3);
  const std::size_t last_frame = encode_frame(sample_messages().back()).size();
  try {
    read_recording(path);
    ADD_FAILURE() << "a truncated recording was read";
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.kind(), ProtocolError::Kind::Truncated);
    EXPECT_CONTAINS(e.what(), "recording " + path.string() +
                                  ": the stream ended inside the Bye frame that begins at byte " +
                                  std::to_string(size - last_frame));
  }
}

TEST_F(WireRecording, CorruptRecordingNamesThePathAndTheOffset) {
  const fs::path path = write_samples("corrupt.sprec");
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(12 + 4);  // the type of the first frame (after the preamble and its length)
    f.put(static_cast<char>(0xe7));
    f.put(static_cast<char>(0x03));
  }
  const std::string error = error_of([&] { read_recording(path); });
  EXPECT_CONTAINS(error, "recording " + path.string() + ": unknown message type 999 (frame at stream byte 12)");

  const fs::path text = dir_ / "notes.txt";
  std::ofstream(text) << "not a recording\n";
  EXPECT_CONTAINS(error_of([&] { read_recording(text); }), "recording " + text.string() + ": bad magic");

  std::ofstream(dir_ / "empty.sprec").close();
  EXPECT_CONTAINS(error_of([&] { read_recording(dir_ / "empty.sprec"); }), "the file is empty");
}

TEST_F(WireRecording, UnreadableAndUnwritablePathsAreNamed) {
  const fs::path missing = dir_ / "missing.sprec";
  EXPECT_THROW(read_recording(missing), std::runtime_error);
  EXPECT_CONTAINS(error_of([&] { read_recording(missing); }),
                  "cannot open the recording " + missing.string() + ": No such file or directory");
  const fs::path no_dir = dir_ / "no" / "such" / "dir.sprec";
  EXPECT_CONTAINS(error_of([&] { RecordingWriter writer(no_dir); }), "cannot create the recording " + no_dir.string());
}

}  // namespace
}  // namespace spstudio::wire
