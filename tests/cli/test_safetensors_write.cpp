// SPDX-License-Identifier: Apache-2.0
// The LibTorch-free safetensors writer (core/common/safetensors_write.h): the layout of the format
// (u64 header length, 8-byte aligned JSON header, sorted names, data in that order) and its errors.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "common/safetensors_write.h"
#include "support/error_text.h"

namespace spstudio {
namespace {

using testing::error_of;

wire::TensorData f32(std::vector<std::int64_t> shape, std::vector<float> values) {
  wire::TensorData t;
  t.dtype = "F32";
  t.shape = std::move(shape);
  t.bytes.resize(values.size() * 4);
  std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  return t;
}

TEST(SafetensorsWrite, FollowsTheFormat) {
  wire::TensorData ids;
  ids.dtype = "I64";
  ids.shape = {2};
  ids.bytes.assign(16, 0);
  ids.bytes[8] = 7;
  const auto bytes = encode_safetensors({{"z", f32({1, 2}, {1.5f, -2.f})}, {"a", ids}}, {{"seed", "7"}});
  std::uint64_t length = 0;
  for (int b = 7; b >= 0; --b)
    length = (length << 8) | bytes[b];
  EXPECT_EQ((8 + length) % 8, 0u);
  const std::string header_text(bytes.begin() + 8, bytes.begin() + 8 + static_cast<long>(length));
  const auto header = nlohmann::json::parse(header_text);
  EXPECT_EQ(header["__metadata__"]["seed"], "7");
  EXPECT_EQ(header["a"]["dtype"], "I64");
  EXPECT_EQ(header["a"]["data_offsets"], nlohmann::json::array({0, 16}));  // "a" sorts first
  EXPECT_EQ(header["z"]["shape"], nlohmann::json::array({1, 2}));
  EXPECT_EQ(header["z"]["data_offsets"], nlohmann::json::array({16, 24}));
  ASSERT_EQ(bytes.size(), 8 + length + 24);
  float second = 0;
  std::memcpy(&second, bytes.data() + 8 + length + 16 + 4, 4);
  EXPECT_EQ(second, -2.f);
  EXPECT_EQ(bytes[8 + length + 8], 7);
}

TEST(SafetensorsWrite, RefusesWhatTheFormatCannotHold) {
  EXPECT_CONTAINS(error_of([] {
                    encode_safetensors({{"x", f32({3}, {1, 2})}});
                  }),
                  "tensor \"x\": 8 bytes for 3 F32 elements (needs 12)");
  wire::TensorData odd = f32({1}, {1});
  odd.dtype = "F13";
  EXPECT_CONTAINS(error_of([&] { encode_safetensors({{"x", odd}}); }), "unknown safetensors dtype \"F13\"");
  EXPECT_CONTAINS(error_of([] { encode_safetensors({{"x", f32({1}, {1})}, {"x", f32({1}, {2})}}); }), "appears twice");
  EXPECT_CONTAINS(error_of([] { encode_safetensors({{"__metadata__", f32({1}, {1})}}); }), "reserved");
}

TEST(SafetensorsWrite, WritesAtomicallyAndNamesThePath) {
  const auto dir = std::filesystem::temp_directory_path() / ("spstudio_st_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "x.safetensors").string();
  write_safetensors(path, {{"latents", f32({2}, {1, 2})}});
  std::ifstream in(path, std::ios::binary);
  const std::vector<std::uint8_t> written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(written, encode_safetensors({{"latents", f32({2}, {1, 2})}}));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1);
  EXPECT_CONTAINS(error_of([&] { write_safetensors(path, {{"x", f32({3}, {1})}}); }), path);
  EXPECT_CONTAINS(error_of([&] { write_safetensors((dir / "no/x.safetensors").string(), {}); }),
                  (dir / "no/x.safetensors").string());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace spstudio
