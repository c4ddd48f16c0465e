// SPDX-License-Identifier: Apache-2.0
#include "models/text/text_files.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace spstudio::models {

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string() + ": no such file or not readable");
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw std::runtime_error("cannot read " + path.string() + ": I/O error");
  return content.str();
}

nlohmann::json read_json_file(const std::filesystem::path& path) {
  const std::string content = read_text_file(path);
  try {
    return nlohmann::json::parse(content);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(path.string() + " is not valid JSON (at byte " + std::to_string(e.byte) + ")");
  }
}

}  // namespace spstudio::models
