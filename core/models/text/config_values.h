// SPDX-License-Identifier: Apache-2.0
// Typed reads of a component's config.json: a missing or null key gives the transformers default,
// a value of the wrong type is an error naming the config class and the key.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace spstudio::models {

/// Throws std::invalid_argument("<owner>: config.json must be a JSON object") otherwise.
void require_config_object(const nlohmann::json& config, const char* owner);
std::int64_t config_int(const nlohmann::json& config, const char* key, std::int64_t fallback, const char* owner);
double config_double(const nlohmann::json& config, const char* key, double fallback, const char* owner);
std::string config_string(const nlohmann::json& config, const char* key, const std::string& fallback,
                          const char* owner);
/// Throws std::invalid_argument("<owner>: '<key>' must be positive, got N") when value <= 0.
void require_positive(std::int64_t value, const char* key, const char* owner);

}  // namespace spstudio::models
