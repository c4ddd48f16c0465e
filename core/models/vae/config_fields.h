// SPDX-License-Identifier: Apache-2.0
// Typed reads of diffusers config.json fields with the defaults diffusers uses when a key is absent.
// Every error names the file and the key, because users fix these by editing that file.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace spstudio::models::config_fields {

/// `where` is the file as the user knows it (e.g. "vae/config.json"); it starts every message.
std::int64_t integer(const nlohmann::json& j, const char* key, std::int64_t fallback, const std::string& where);
double number(const nlohmann::json& j, const char* key, double fallback, const std::string& where);
/// Absent or null → nullopt (diffusers' `Optional[float] = None`).
std::optional<double> optional_number(const nlohmann::json& j, const char* key, const std::string& where);
bool boolean(const nlohmann::json& j, const char* key, bool fallback, const std::string& where);
std::string string(const nlohmann::json& j, const char* key, const std::string& fallback, const std::string& where);
std::vector<std::int64_t> integer_list(const nlohmann::json& j, const char* key, std::vector<std::int64_t> fallback,
                                       const std::string& where);
std::vector<std::string> string_list(const nlohmann::json& j, const char* key, std::vector<std::string> fallback,
                                     const std::string& where);

}  // namespace spstudio::models::config_fields
