// SPDX-License-Identifier: Apache-2.0
#include "models/text/clip_tokenizer_files.h"

#include <limits>
#include <stdexcept>

#include "models/text/text_files.h"

namespace spstudio::models {
namespace {

std::string token_string(const nlohmann::json& value, const std::filesystem::path& file, const std::string& key) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object() && value.contains("content") && value["content"].is_string()) {
    return value["content"].get<std::string>();
  }
  throw std::runtime_error(file.string() + ": '" + key + "' must be a string or an object with a string \"content\"");
}

// tokenizer_config.json first, then special_tokens_map.json on top (transformers' precedence).
void read_special_tokens(const std::filesystem::path& file, CLIPSpecialTokens& special,
                         std::unordered_map<std::string, std::int64_t>* added_tokens, std::int64_t* model_max_length) {
  if (!std::filesystem::exists(file)) return;
  const nlohmann::json config = read_json_file(file);
  if (!config.is_object()) throw std::runtime_error(file.string() + ": expected a JSON object");
  const std::pair<const char*, std::string*> fields[] = {{"bos_token", &special.bos_token},
                                                         {"eos_token", &special.eos_token},
                                                         {"pad_token", &special.pad_token},
                                                         {"unk_token", &special.unk_token}};
  for (const auto& [key, target] : fields) {
    if (config.contains(key) && !config[key].is_null()) *target = token_string(config[key], file, key);
  }
  if (added_tokens != nullptr && config.contains("added_tokens_decoder")) {
    const nlohmann::json& decoder = config["added_tokens_decoder"];
    if (!decoder.is_object()) throw std::runtime_error(file.string() + ": 'added_tokens_decoder' must be an object");
    for (const auto& [id_text, entry] : decoder.items()) {
      std::int64_t id = 0;
      try {
        std::size_t used = 0;
        id = std::stoll(id_text, &used);
        if (used != id_text.size()) throw std::invalid_argument(id_text);
      } catch (const std::exception&) {
        throw std::runtime_error(file.string() + ": 'added_tokens_decoder' key \"" + id_text + "\" is not an id");
      }
      (*added_tokens)[token_string(entry, file, "added_tokens_decoder." + id_text)] = id;
    }
  }
  if (model_max_length != nullptr && config.contains("model_max_length")) {
    const nlohmann::json& value = config["model_max_length"];
    if (value.is_number_integer()) {
      *model_max_length = value.get<std::int64_t>();
    } else if (value.is_number()) {
      // transformers writes int(1e30) for "no limit", which JSON readers see as a float.
      *model_max_length = std::numeric_limits<std::int64_t>::max();
    } else if (!value.is_null()) {
      throw std::runtime_error(file.string() + ": 'model_max_length' must be a number");
    }
  }
}

std::unordered_map<std::string, std::int64_t> read_vocab(const std::filesystem::path& file) {
  const nlohmann::json vocab_json = read_json_file(file);
  if (!vocab_json.is_object()) throw std::runtime_error(file.string() + ": expected a JSON object of token → id");
  std::unordered_map<std::string, std::int64_t> vocab;
  vocab.reserve(vocab_json.size());
  for (const auto& [token, id] : vocab_json.items()) {
    if (!id.is_number_integer()) {
      throw std::runtime_error(file.string() + ": the id of token \"" + token + "\" is not an integer");
    }
    vocab.emplace(token, id.get<std::int64_t>());
  }
  return vocab;
}

// merges.txt as transformers reads it: the whole file stripped, the first line (the "#version"
// header) skipped, at most kMaxMerges pairs. Checks each pair against the vocab so a broken file
// fails here, not as silently wrong ids.
std::vector<std::pair<std::string, std::string>> read_merges(
    const std::filesystem::path& file, const std::unordered_map<std::string, std::int64_t>& vocab) {
  const std::string content = read_text_file(file);
  std::vector<std::string> lines;
  std::size_t start = content.find_first_not_of(" \t\r\n");
  while (start != std::string::npos && start < content.size()) {
    std::size_t end = content.find('\n', start);
    if (end == std::string::npos) end = content.size();
    lines.push_back(content.substr(start, end - start));
    start = end + 1;
  }
  while (!lines.empty() && lines.back().find_first_not_of(" \t\r") == std::string::npos)
    lines.pop_back();
  if (lines.empty() || lines.front().rfind("#version", 0) != 0) {
    throw std::runtime_error(file.string() + " line 1: expected the '#version' header");
  }
  std::vector<std::pair<std::string, std::string>> merges;
  for (std::size_t n = 1; n < lines.size() && merges.size() < CLIPTokenizer::kMaxMerges; ++n) {
    std::string line = lines[n];
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.pop_back();
    const std::size_t space = line.find(' ');
    const std::string where = file.string() + " line " + std::to_string(n + 1);
    if (space == std::string::npos || space == 0 || line.find(' ', space + 1) != std::string::npos ||
        space + 1 == line.size()) {
      throw std::runtime_error(where + ": expected two symbols separated by one space, got \"" + line + "\"");
    }
    std::string first = line.substr(0, space), second = line.substr(space + 1);
    if (vocab.count(first + second) == 0) {
      throw std::runtime_error(where + ": merge \"" + line + "\" makes \"" + first + second +
                               "\", which is not in vocab.json");
    }
    merges.emplace_back(std::move(first), std::move(second));
  }
  return merges;
}

}  // namespace

CLIPTokenizerFiles read_clip_tokenizer_files(const std::filesystem::path& folder) {
  CLIPTokenizerFiles files;
  files.vocab = read_vocab(folder / "vocab.json");
  files.merges = read_merges(folder / "merges.txt", files.vocab);
  read_special_tokens(folder / "tokenizer_config.json", files.special_tokens, &files.added_tokens,
                      &files.model_max_length);
  read_special_tokens(folder / "special_tokens_map.json", files.special_tokens, nullptr, nullptr);
  return files;
}

}  // namespace spstudio::models
