// SPDX-License-Identifier: Apache-2.0
// Reading diffusers/transformers config.json files: absent or null keys keep the architecture's
// default (as the Python libraries do), a value of the wrong type is an error naming the key.
// Header-only so every model library can use it.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace spstudio::models {

/// The JSON object in `path`; throws std::runtime_error naming the file (missing, unreadable,
/// not JSON with the parser's position, not an object).
inline nlohmann::json load_json_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open (missing or unreadable)");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(path.string() + ": not valid JSON: " + e.what());
  }
  if (!j.is_object()) throw std::runtime_error(path.string() + ": expected a JSON object at the top level");
  return j;
}

class ConfigReader {
 public:
  /// `what` names the config in errors ("transformer config", "vae/config.json", ...).
  ConfigReader(const nlohmann::json& config, std::string what) : j_(config), what_(std::move(what)) {
    if (!j_.is_object()) throw std::runtime_error(what_ + ": expected a JSON object");
  }

  /// Sets `out` from `key` when present and not null.
  template <typename T>
  void get(const char* key, T& out) const {
    const auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return;
    try {
      out = it->template get<T>();
    } catch (const nlohmann::json::exception&) {
      throw std::runtime_error(what_ + ": '" + key + "' has the wrong type (" + it->type_name() + " value " +
                               it->dump() + ")");
    }
  }

  /// Refuses a config written for another class (`_class_name`, when present).
  void expect_class(const std::string& class_name) const {
    std::string found;
    get("_class_name", found);
    if (!found.empty() && found != class_name)
      throw std::runtime_error(what_ + ": is for " + found + ", expected " + class_name);
  }

 private:
  const nlohmann::json& j_;
  std::string what_;
};

}  // namespace spstudio::models
