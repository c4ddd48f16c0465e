// SPDX-License-Identifier: Apache-2.0
// A deterministic corruption sweep: truncated and bit-flipped files give a WeightsError naming the
// file, never a crash or another exception type (the reader will be fuzzed later; this is its floor).
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include "error_text.h"
#include "models/weights/safetensors.h"
#include "models/weights/safetensors_writer.h"
#include "models/weights/weights_error.h"
#include "weights_test_files.h"

namespace spstudio::models {
namespace {

using testing::ScratchDir;
using testing::write_bytes;

enum class Outcome { kOpened, kWeightsError };

/// Opens `bytes` as a file and reads every tensor both ways; any exception but WeightsError fails.
Outcome read_everything(const std::filesystem::path& path, const std::string& bytes) {
  write_bytes(path, bytes);
  try {
    const SafetensorsFile file(path);
    for (const std::string& name : file.names()) {
      const at::Tensor view = file.tensor(name);
      const at::Tensor copy = file.load(name, view.scalar_type() == at::kBool ? at::kBool : at::kDouble);
      EXPECT_EQ(copy.numel(), view.numel());
    }
    return Outcome::kOpened;
  } catch (const WeightsError& e) {
    EXPECT_CONTAINS(std::string(e.what()), path.string());
    return Outcome::kWeightsError;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a WeightsError: " << e.what();
  }
  return Outcome::kWeightsError;
}

std::string sample_file(const ScratchDir& dir) {
  at::Generator gen = at::detail::createCPUGenerator(11);
  save_safetensors(dir / "good.safetensors",
                   {{"w", at::randn({3, 2}, gen)},
                    {"h", at::randn({3}, gen).to(at::kHalf)},
                    {"flags", at::tensor({1, 0, 1}, at::kByte).to(at::kBool)},
                    {"ids", at::tensor({5, 6}, at::kLong)}},
                   {{"format", "pt"}});
  return testing::read_bytes(dir / "good.safetensors");
}

TEST(SafetensorsCorruption, EveryTruncationIsAWeightsErrorNamingTheFile) {
  ScratchDir dir;
  const std::string good = sample_file(dir);
  const std::uint64_t header_end = 8 + static_cast<std::uint8_t>(good[0]) + 256u * static_cast<std::uint8_t>(good[1]);
  ASSERT_LT(header_end, good.size());
  for (std::size_t cut = 0; cut < good.size(); ++cut) {
    const auto path = dir / "cut.safetensors";
    write_bytes(path, good.substr(0, cut));
    const std::string error = testing::error_of([&] { SafetensorsFile{path}; });
    EXPECT_CONTAINS(error, "safetensors file '" + path.string() + "'");
    if (cut < 8) {
      EXPECT_CONTAINS(error, "shorter than the 8-byte header length");
    } else if (cut < header_end) {
      EXPECT_CONTAINS(error, "is larger than the rest of the file");
    } else {
      // The data buffer is cut: the tensor whose range now ends past it is named.
      EXPECT_CONTAINS(error, "': tensor '");
      EXPECT_CONTAINS(error, "reach past the end of the data buffer");
    }
  }
  EXPECT_EQ(read_everything(dir / "whole.safetensors", good), Outcome::kOpened);
}

TEST(SafetensorsCorruption, FlippedBytesAtEveryPositionNeverEscapeAsAnythingElse) {
  ScratchDir dir;
  const std::string good = sample_file(dir);
  int opened = 0, rejected = 0;
  for (std::size_t pos = 0; pos < good.size(); ++pos) {
    for (const unsigned char mask : {0x01, 0x20, 0x80, 0xff}) {
      std::string bad = good;
      bad[pos] = static_cast<char>(static_cast<unsigned char>(bad[pos]) ^ mask);
      (read_everything(dir / "flip.safetensors", bad) == Outcome::kOpened ? opened : rejected)++;
    }
  }
  // Flips in the data (and harmless ones in the JSON) open; the others are rejected.
  EXPECT_GT(opened, 0);
  EXPECT_GT(rejected, 0);
}

TEST(SafetensorsCorruption, RandomGarbageBehindPlausibleLengthsIsRejectedCleanly) {
  ScratchDir dir;
  at::Generator gen = at::detail::createCPUGenerator(5);
  for (int trial = 0; trial < 200; ++trial) {
    const std::int64_t size = at::randint(0, 64, {1}, gen, at::kLong).item<std::int64_t>();
    const at::Tensor noise = at::randint(0, 256, {size}, gen, at::kByte);
    std::string body(reinterpret_cast<const char*>(noise.data_ptr()), static_cast<std::size_t>(size));
    if (trial % 2 == 0 && !body.empty()) body[0] = '{';  // get past the first JSON character half the time
    const std::uint64_t claimed = trial % 3 == 0 ? body.size() : static_cast<std::uint64_t>(size) / 2;
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i)
      bytes[i] = static_cast<char>((claimed >> (8 * i)) & 0xff);
    read_everything(dir / "noise.safetensors", bytes + body);
  }
}

TEST(SafetensorsCorruption, HostileButValidJsonIsRejectedCleanly) {
  ScratchDir dir;
  const std::vector<std::string> headers = {
      std::string(100000, '[') + std::string(100000, ']'),  // deep nesting
      R"({"w":{"dtype":"F32","shape":[18446744073709551615],"data_offsets":[0,4]}})",
      R"({"w":{"dtype":"F32","shape":[9223372036854775807,2],"data_offsets":[0,4]}})",
      R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[18446744073709551612,18446744073709551616]}})",
      R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[1e3,4]}})",
      R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"U8","shape":[99],"data_offsets":[0,99]}})",
      R"({"w":null})",
      R"("just a string")",
      "{\"\xff\xfe\":1}",  // invalid UTF-8
  };
  for (const std::string& header : headers) {
    EXPECT_EQ(read_everything(dir / "hostile.safetensors", testing::raw_safetensors(header, std::string(4, '\0'))),
              Outcome::kWeightsError)
        << header.substr(0, 80);
  }
}

}  // namespace
}  // namespace spstudio::models
