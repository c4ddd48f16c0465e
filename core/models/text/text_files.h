// SPDX-License-Identifier: Apache-2.0
// Reading the small text files of a tokenizer folder, with errors that name the file.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace spstudio::models {

/// The whole file; throws std::runtime_error naming `path` when it cannot be read.
std::string read_text_file(const std::filesystem::path& path);
/// The parsed JSON document; throws std::runtime_error naming `path` when it is missing or not JSON.
nlohmann::json read_json_file(const std::filesystem::path& path);

}  // namespace spstudio::models
