// SPDX-License-Identifier: Apache-2.0
#include "app/png/png_metadata.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

namespace spstudio::png {
namespace {

using Json = nlohmann::ordered_json;

// A1111 writes numbers short: "CFG scale: 7", "Guidance: 3.5".
std::string short_number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.6g", value);
  return buffer;
}

template <typename T>
T field(const Json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end()) throw std::runtime_error(std::string("the spstudio image metadata has no \"") + name + "\"");
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(std::string("the spstudio image metadata field \"") + name +
                             "\" has the wrong type: " + it->dump());
  }
}

}  // namespace

std::string a1111_parameters(const GenerationMetadata& m) {
  std::string out = m.prompt + "\n";
  if (!m.negative_prompt.empty()) out += "Negative prompt: " + m.negative_prompt + "\n";
  out += "Steps: " + std::to_string(m.steps) + ", Sampler: " + m.sampler + ", CFG scale: " + short_number(m.cfg_scale) +
         ", Guidance: " + short_number(m.guidance) + ", Seed: " + std::to_string(m.seed) +
         ", Size: " + std::to_string(m.width) + "x" + std::to_string(m.height) + ", Model: " + m.model +
         ", Ulysses degree: " + std::to_string(m.ulysses_degree) + ", Ring degree: " + std::to_string(m.ring_degree);
  return out;
}

std::string spstudio_metadata_json(const GenerationMetadata& m) {
  Json plan = nullptr;
  if (!m.plan_json.empty()) {
    try {
      plan = Json::parse(m.plan_json);
    } catch (const nlohmann::json::exception& e) {
      throw std::invalid_argument(std::string("the plan to record in the image is not JSON: ") + e.what());
    }
  }
  Json j;
  j["format"] = kImageMetadataFormat;
  j["model"] = m.model;
  j["prompt"] = m.prompt;
  j["negative_prompt"] = m.negative_prompt;
  j["seed"] = m.seed;
  j["steps"] = m.steps;
  j["guidance"] = m.guidance;
  j["cfg_scale"] = m.cfg_scale;
  j["height"] = m.height;
  j["width"] = m.width;
  j["sampler"] = m.sampler;
  j["plan"] = std::move(plan);
  j["ulysses_degree"] = m.ulysses_degree;
  j["ring_degree"] = m.ring_degree;
  j["world_size"] = m.world_size;
  j["devices"] = m.devices;
  j["backend"] = m.backend;
  j["timings"] = Json{{"step_ms", m.step_ms}, {"encode_ms", m.encode_ms}, {"decode_ms", m.decode_ms}};
  return j.dump();
}

GenerationMetadata parse_spstudio_metadata_json(const std::string& text) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("the spstudio image metadata is not JSON: ") + e.what());
  }
  if (!j.is_object()) throw std::runtime_error("the spstudio image metadata is not a JSON object");
  const auto format = field<std::string>(j, "format");
  if (format != kImageMetadataFormat)
    throw std::runtime_error("the spstudio image metadata has format \"" + format + "\", expected \"" +
                             kImageMetadataFormat + "\"");
  GenerationMetadata m;
  m.model = field<std::string>(j, "model");
  m.prompt = field<std::string>(j, "prompt");
  m.negative_prompt = field<std::string>(j, "negative_prompt");
  m.seed = field<std::uint64_t>(j, "seed");
  m.steps = field<std::uint32_t>(j, "steps");
  m.guidance = field<double>(j, "guidance");
  m.cfg_scale = j.contains("cfg_scale") ? field<double>(j, "cfg_scale") : 1.0;
  m.height = field<std::uint32_t>(j, "height");
  m.width = field<std::uint32_t>(j, "width");
  if (j.contains("sampler")) m.sampler = field<std::string>(j, "sampler");
  const auto plan = j.find("plan");
  if (plan != j.end() && !plan->is_null()) m.plan_json = plan->dump(2);
  m.ulysses_degree = field<int>(j, "ulysses_degree");
  m.ring_degree = field<int>(j, "ring_degree");
  m.world_size = field<int>(j, "world_size");
  m.devices = field<std::vector<std::string>>(j, "devices");
  if (j.contains("backend")) m.backend = field<std::string>(j, "backend");  // recorded since issue 7
  const auto timings = field<Json>(j, "timings");
  m.step_ms = field<std::vector<double>>(timings, "step_ms");
  m.encode_ms = field<double>(timings, "encode_ms");
  m.decode_ms = field<double>(timings, "decode_ms");
  return m;
}

void write_generation_png(const std::string& path, std::uint32_t width, std::uint32_t height,
                          std::vector<std::uint8_t> rgb, const GenerationMetadata& metadata) {
  RgbPng image;
  image.width = width;
  image.height = height;
  image.rgb = std::move(rgb);
  image.texts.push_back({kParametersKeyword, a1111_parameters(metadata), TextChunkType::Text});
  image.texts.push_back({kSpstudioKeyword, spstudio_metadata_json(metadata), TextChunkType::InternationalText});
  write_png(path, image);
}

}  // namespace spstudio::png
