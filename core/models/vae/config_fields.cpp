// SPDX-License-Identifier: Apache-2.0
#include "models/vae/config_fields.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace spstudio::models::config_fields {
namespace {

/// The value under `key`, or nullptr when the key is absent (then the diffusers default applies).
const nlohmann::json* find(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.is_object()) throw std::invalid_argument(where + ": expected a JSON object, got " + j.dump());
  const auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

[[noreturn]] void wrong_type(const char* key, const char* expected, const nlohmann::json& value,
                             const std::string& where) {
  throw std::invalid_argument(where + ": \"" + key + "\" must be " + expected + ", got " + value.dump());
}

}  // namespace

std::int64_t integer(const nlohmann::json& j, const char* key, std::int64_t fallback, const std::string& where) {
  const nlohmann::json* v = find(j, key, where);
  if (v == nullptr) return fallback;
  if (!v->is_number_integer()) wrong_type(key, "an integer", *v, where);
  return v->get<std::int64_t>();
}

double number(const nlohmann::json& j, const char* key, double fallback, const std::string& where) {
  const nlohmann::json* v = find(j, key, where);
  if (v == nullptr) return fallback;
  if (!v->is_number()) wrong_type(key, "a number", *v, where);
  return v->get<double>();
}

std::optional<double> optional_number(const nlohmann::json& j, const char* key, const std::string& where) {
  const nlohmann::json* v = find(j, key, where);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_number()) wrong_type(key, "a number or null", *v, where);
  return v->get<double>();
}

bool boolean(const nlohmann::json& j, const char* key, bool fallback, const std::string& where) {
  const nlohmann::json* v = find(j, key, where);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) wrong_type(key, "true or false", *v, where);
  return v->get<bool>();
}

std::string string(const nlohmann::json& j, const char* key, const std::string& fallback, const std::string& where) {
  const nlohmann::json* v = find(j, key, where);
  if (v == nullptr) return fallback;
  if (!v->is_string()) wrong_type(key, "a string", *v, where);
  return v->get<std::string>();
}

std::vector<std::int64_t> integer_list(const nlohmann::json& j, const char* key, std::vector<std::int64_t> fallback,
                                       const std::string& where) {
  const nlohmann::json* v = find(j, key, where);
  if (v == nullptr) return fallback;
  if (!v->is_array()) wrong_type(key, "a list of integers", *v, where);
  std::vector<std::int64_t> out;
  for (const nlohmann::json& item : *v) {
    if (!item.is_number_integer()) wrong_type(key, "a list of integers", *v, where);
    out.push_back(item.get<std::int64_t>());
  }
  return out;
}

std::vector<std::string> string_list(const nlohmann::json& j, const char* key, std::vector<std::string> fallback,
                                     const std::string& where) {
  const nlohmann::json* v = find(j, key, where);
  if (v == nullptr) return fallback;
  if (!v->is_array()) wrong_type(key, "a list of strings", *v, where);
  std::vector<std::string> out;
  for (const nlohmann::json& item : *v) {
    if (!item.is_string()) wrong_type(key, "a list of strings", *v, where);
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace spstudio::models::config_fields
