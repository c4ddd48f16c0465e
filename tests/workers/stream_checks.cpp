// SPDX-License-Identifier: Apache-2.0
#include "stream_checks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "common/latent_preview.h"

namespace spstudio::testing {

wire::TensorData f32_tensor(std::vector<std::int64_t> shape, const std::vector<float>& values) {
  wire::TensorData t{"F32", std::move(shape), {}};
  t.bytes.resize(values.size() * 4);
  std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  return t;
}

wire::TensorData i64_tensor(std::vector<std::int64_t> shape, const std::vector<std::int64_t>& values) {
  wire::TensorData t{"I64", std::move(shape), {}};
  t.bytes.resize(values.size() * 8);
  std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  return t;
}

std::vector<float> seeded_floats(std::size_t n, std::uint32_t seed) {
  std::vector<float> v(n);
  for (float& x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = static_cast<float>(seed >> 8) / static_cast<float>(1u << 24) * 2.0f - 1.0f;
  }
  return v;
}

FloatTensor floats_of(const wire::TensorData& tensor) {
  FloatTensor t;
  EXPECT_EQ(tensor.dtype, "F32");
  if (tensor.dtype != "F32") return t;
  t.shape = tensor.shape;
  t.values.resize(tensor.bytes.size() / 4);
  std::memcpy(t.values.data(), tensor.bytes.data(), t.values.size() * 4);
  return t;
}

std::map<std::string, FloatTensor> read_f32_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::map<std::string, FloatTensor> out;
  if (bytes.size() < 8) {
    ADD_FAILURE() << path << " is not a safetensors file (" << bytes.size() << " bytes)";
    return out;
  }
  std::uint64_t header_size = 0;
  std::memcpy(&header_size, bytes.data(), 8);
  const nlohmann::json header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + header_size);
  const std::size_t data_start = 8 + header_size;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__" || info.at("dtype") != "F32") continue;
    FloatTensor t;
    t.shape = info.at("shape").get<std::vector<std::int64_t>>();
    const auto offsets = info.at("data_offsets").get<std::vector<std::size_t>>();
    t.values.resize((offsets[1] - offsets[0]) / 4);
    std::memcpy(t.values.data(), bytes.data() + data_start + offsets[0], t.values.size() * 4);
    out[name] = std::move(t);
  }
  return out;
}

double max_abs_difference(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    m = std::max(m, std::abs(static_cast<double>(a[i]) - b[i]));
  return m;
}

double max_abs(const std::vector<float>& a) {
  double m = 0;
  for (const float v : a)
    m = std::max(m, std::abs(static_cast<double>(v)));
  return m;
}

std::vector<std::uint8_t> stitch_previews(const std::vector<wire::StepPreview>& previews) {
  if (previews.empty()) {
    ADD_FAILURE() << "no previews";
    return {};
  }
  const int width = static_cast<int>(previews[0].full_width), height = static_cast<int>(previews[0].full_height);
  std::vector<int> covered(static_cast<std::size_t>(width * height), 0);
  std::vector<std::uint8_t> image(static_cast<std::size_t>(width * height * 3), 0);
  for (const wire::StepPreview& p : previews) {
    EXPECT_EQ(p.full_width, previews[0].full_width);
    EXPECT_EQ(p.full_height, previews[0].full_height);
    PreviewTile tile;
    tile.x = static_cast<int>(p.x);
    tile.y = static_cast<int>(p.y);
    tile.width = static_cast<int>(p.tile.width);
    tile.height = static_cast<int>(p.tile.height);
    tile.rgb = p.tile.rgb;
    tile.covered_x_begin = static_cast<int>(p.covered_x_begin);
    tile.covered_x_end = static_cast<int>(p.covered_x_end);
    EXPECT_LE(tile.x + tile.width, width) << "rank " << p.rank;
    EXPECT_LE(tile.y + tile.height, height) << "rank " << p.rank;
    for (int py = tile.y; py < std::min(height, tile.y + tile.height); ++py)
      for (int px = tile.x; px < std::min(width, tile.x + tile.width); ++px)
        if (tile.covers(px, py)) ++covered[static_cast<std::size_t>(py * width + px)];
    paint_tile(tile, image.data(), width, height);
  }
  for (int i = 0; i < width * height; ++i)
    if (covered[static_cast<std::size_t>(i)] != 1) {
      ADD_FAILURE() << "preview pixel (" << i % width << ", " << i / width << ") is covered "
                    << covered[static_cast<std::size_t>(i)] << " times";
      return {};
    }
  return image;
}

std::map<int, std::vector<std::string>> check_range_names(const std::vector<Received>& received, int rank) {
  std::map<std::uint32_t, std::string> names;
  std::map<int, std::vector<std::string>> used;
  for (const Received& r : received) {
    if (r.rank != rank) continue;
    if (const auto* def = std::get_if<wire::StringDef>(&r.message)) {
      EXPECT_EQ(def->rank, static_cast<std::uint32_t>(rank));
      EXPECT_EQ(names.count(def->id), 0u) << "range name id " << def->id << " defined twice";
      names[def->id] = def->text;
    }
    if (const auto* ranges = std::get_if<wire::Ranges>(&r.message)) {
      EXPECT_EQ(ranges->rank, static_cast<std::uint32_t>(rank));
      for (const wire::RangeRecord& record : ranges->records) {
        const auto it = names.find(record.name_id);
        if (it == names.end()) {
          ADD_FAILURE() << "rank " << rank << " used range name id " << record.name_id << " before its StringDef";
          continue;
        }
        EXPECT_LE(record.begin_ns, record.end_ns) << it->second;
        used[ranges->step].push_back(it->second);
      }
    }
  }
  return used;
}

}  // namespace spstudio::testing
