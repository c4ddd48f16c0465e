// SPDX-License-Identifier: Apache-2.0
#include "models/text/config_values.h"

#include <limits>
#include <stdexcept>

namespace spstudio::models {
namespace {

[[noreturn]] void wrong_type(const nlohmann::json& value, const char* key, const char* expected, const char* owner) {
  throw std::invalid_argument(std::string(owner) + ": '" + key + "' must be " + expected + ", got " +
                              value.type_name() + " " + value.dump());
}

}  // namespace

void require_config_object(const nlohmann::json& config, const char* owner) {
  if (!config.is_object()) throw std::invalid_argument(std::string(owner) + ": config.json must be a JSON object");
}

std::int64_t config_int(const nlohmann::json& config, const char* key, std::int64_t fallback, const char* owner) {
  if (!config.contains(key) || config[key].is_null()) return fallback;
  const nlohmann::json& value = config[key];
  if (!value.is_number_integer()) wrong_type(value, key, "an integer", owner);
  if (value.is_number_unsigned() &&
      value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    wrong_type(value, key, "an integer that fits 64 bits", owner);
  }
  return value.get<std::int64_t>();
}

double config_double(const nlohmann::json& config, const char* key, double fallback, const char* owner) {
  if (!config.contains(key) || config[key].is_null()) return fallback;
  const nlohmann::json& value = config[key];
  if (!value.is_number()) wrong_type(value, key, "a number", owner);
  return value.get<double>();
}

std::string config_string(const nlohmann::json& config, const char* key, const std::string& fallback,
                          const char* owner) {
  if (!config.contains(key) || config[key].is_null()) return fallback;
  const nlohmann::json& value = config[key];
  if (!value.is_string()) wrong_type(value, key, "a string", owner);
  return value.get<std::string>();
}

void require_positive(std::int64_t value, const char* key, const char* owner) {
  if (value <= 0) {
    throw std::invalid_argument(std::string(owner) + ": '" + key + "' must be positive, got " + std::to_string(value));
  }
}

}  // namespace spstudio::models
