// SPDX-License-Identifier: Apache-2.0
#include "common/plan_json.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/issues.h"

namespace spstudio {
namespace {

using Json = nlohmann::ordered_json;

bool is_index_text(const std::string& s) {
  return !s.empty() && s.size() < 10 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

const char* json_type(const Json& j) {
  return j.type_name();
}

/// Collects every structural problem instead of stopping at the first.
class Parser {
 public:
  SequenceParallelPlan parse(const Json& root) {
    SequenceParallelPlan plan;
    if (!root.is_object()) {
      top_issue("", std::string("a plan is a JSON object, not ") + json_type(root));
      return plan;
    }
    for (const auto& [field, value] : root.items()) {
      if (field == "format") {
        if (!value.is_string() || value.get<std::string>() != kPlanFormat)
          top_issue("format", std::string("format must be \"") + kPlanFormat + "\", found " + value.dump());
      } else if (field == "model") {
        if (value.is_string())
          plan.model = value.get<std::string>();
        else
          top_issue("model", "model must be a string");
      } else if (field == "description") {
        if (value.is_string())
          plan.description = value.get<std::string>();
        else
          top_issue("description", "description must be a string");
      } else if (field != "entries") {
        top_issue(field, "unknown field '" + field + "' (expected format, model, description, entries)");
      }
    }
    if (!root.contains("format")) top_issue("format", "missing \"format\": \"spstudio-plan/1\"");
    const auto entries = root.find("entries");
    if (entries == root.end()) {
      top_issue("entries", "missing \"entries\"");
    } else if (!entries->is_object()) {
      top_issue("entries", std::string("entries must be an object keyed by module path, not ") + json_type(*entries));
    } else {
      for (const auto& [key, value] : entries->items())
        plan.entries.push_back(entry(key, value));
    }
    return plan;
  }

  std::vector<ValidationIssue> issues;

 private:
  void top_issue(const std::string& field, std::string message) {
    issues.push_back({Severity::Error, std::nullopt, field, std::nullopt, std::move(message), {}});
  }
  void issue(const std::string& key, const std::string& field, std::string message) {
    issues.push_back({Severity::Error, key, field, key, std::move(message), {}});
  }

  PlanEntry entry(const std::string& key, const Json& value) {
    PlanEntry e;
    e.key = key;
    if (!value.is_object()) {
      issue(key, "", std::string("an entry is an object with split, split_output or gather, not ") + json_type(value));
      return e;
    }
    for (const auto& [field, item] : value.items()) {
      if (field == "split") {
        splits(key, item, false, e);
      } else if (field == "split_output") {
        splits(key, item, true, e);
      } else if (field == "gather") {
        gather(key, item, e);
      } else {
        issue(key, field, "unknown field '" + field + "' (expected split, split_output, gather)");
      }
    }
    return e;
  }

  void splits(const std::string& key, const Json& object, bool output_side, PlanEntry& e) {
    const std::string section = output_side ? "split_output" : "split";
    if (!object.is_object()) {
      issue(key, section, section + " must be an object, not " + json_type(object));
      return;
    }
    for (const auto& [name, value] : object.items()) {
      const std::string where = section + "." + name;
      InputKey input_key = is_index_text(name) ? InputKey::index(std::stoi(name)) : InputKey::name(name);
      if (value.is_array() && output_side) {
        issue(key, where, "an output index takes one spec, not a list");
      } else if (value.is_array()) {
        std::vector<std::optional<SplitSpec>> list;
        for (std::size_t i = 0; i < value.size(); ++i) {
          if (value[i].is_null()) {
            list.emplace_back();
          } else if (auto s = split_spec(key, where + "[" + std::to_string(i) + "]", value[i], output_side)) {
            list.emplace_back(std::move(*s));
          }
        }
        e.splits.push_back({std::move(input_key), std::move(list)});
      } else if (auto s = split_spec(key, where, value, output_side)) {
        e.splits.push_back({std::move(input_key), std::move(*s)});
      }
    }
  }

  /// The fields a spec object may hold; which ones are allowed depends on the section.
  struct SpecFields {
    std::optional<int> dim, expected_dims;
    std::optional<bool> auto_pad;
    std::optional<std::string> shard_group;
    std::optional<TextLenSource> text_len;
    bool ok = true;
  };

  SpecFields spec_fields(const std::string& key, const std::string& where, const Json& v, bool split) {
    SpecFields f;
    const char* allowed =
        split ? "dim, expected_dims, auto_pad, shard_group, text_len" : "dim, expected_dims, shard_group";
    auto bad = [&](const std::string& location, std::string message) {
      issue(key, location, std::move(message));
      f.ok = false;
    };
    for (const auto& [field, value] : v.items()) {
      const std::string location = where + "." + field;
      if (field == "dim" || field == "expected_dims") {
        if (!value.is_number_integer()) {
          bad(location, "must be an integer, not " + value.dump());
          continue;
        }
        (field == "dim" ? f.dim : f.expected_dims) = value.get<int>();
      } else if (field == "shard_group") {
        if (value.is_string())
          f.shard_group = value.get<std::string>();
        else
          bad(location, "must be a string");
      } else if (split && field == "auto_pad") {
        if (value.is_boolean())
          f.auto_pad = value.get<bool>();
        else
          bad(location, "must be true or false");
      } else if (split && field == "text_len") {
        if (value.is_number_integer())
          f.text_len = TextLenSource{value.get<std::int64_t>()};
        else if (value.is_string())
          f.text_len = TextLenSource{value.get<std::string>()};
        else
          bad(location, "must be an integer or the name of another forward argument");
      } else {
        bad(location, "unknown field '" + field + "' (expected " + allowed + ")");
      }
    }
    if (!v.contains("dim")) bad(where + ".dim", "missing \"dim\"");
    return f;
  }

  std::optional<SplitSpec> split_spec(const std::string& key, const std::string& where, const Json& v,
                                      bool output_side) {
    if (!v.is_object()) {
      issue(key, where, std::string("a split spec is an object like {\"dim\": 1}, not ") + v.dump());
      return std::nullopt;
    }
    SpecFields f = spec_fields(key, where, v, /*split=*/true);
    if (f.text_len && (f.auto_pad || f.shard_group)) {
      issue(key, where,
            "a partial split (text_len) cannot auto_pad or name a shard_group: only the image part is "
            "sharded and it must divide evenly");
      f.ok = false;
    }
    if (!f.ok) return std::nullopt;
    if (f.text_len) {
      SequenceParallelPartialInput p;
      p.split_dim = *f.dim;
      p.text_len = *f.text_len;
      p.expected_dims = f.expected_dims;
      p.split_output = output_side;
      return SplitSpec{p};
    }
    SequenceParallelInput s;
    s.split_dim = *f.dim;
    s.expected_dims = f.expected_dims;
    s.split_output = output_side;
    s.auto_pad = f.auto_pad.value_or(false);
    s.shard_group = f.shard_group;
    return SplitSpec{s};
  }

  void gather(const std::string& key, const Json& v, PlanEntry& e) {
    if (!v.is_array()) {
      issue(key, "gather", std::string("gather is a list with one spec (or null) per output, not ") + json_type(v));
      return;
    }
    std::vector<std::optional<SequenceParallelOutput>> outs;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::string where = "gather[" + std::to_string(i) + "]";
      if (v[i].is_null()) {
        outs.emplace_back();
        continue;
      }
      if (!v[i].is_object()) {
        issue(key, where, std::string("a gather spec is an object like {\"dim\": 1} or null, not ") + v[i].dump());
        continue;
      }
      const SpecFields f = spec_fields(key, where, v[i], /*split=*/false);
      if (f.ok) outs.push_back(SequenceParallelOutput{*f.dim, f.expected_dims, f.shard_group});
    }
    e.gather = std::move(outs);
  }
};

Json spec_json(const SplitSpec& spec) {
  Json j;
  j["dim"] = split_dim(spec);
  if (auto e = expected_dims(spec)) j["expected_dims"] = *e;
  if (const auto* partial = std::get_if<SequenceParallelPartialInput>(&spec)) {
    std::visit([&](const auto& t) { j["text_len"] = t; }, partial->text_len);
  } else {
    const auto& full = std::get<SequenceParallelInput>(spec);
    if (full.auto_pad) j["auto_pad"] = true;
    if (full.shard_group) j["shard_group"] = *full.shard_group;
  }
  return j;
}

Json output_json(const std::optional<SequenceParallelOutput>& out) {
  if (!out) return nullptr;
  Json j;
  j["dim"] = out->gather_dim;
  if (out->expected_dims) j["expected_dims"] = *out->expected_dims;
  if (out->shard_group) j["shard_group"] = *out->shard_group;
  return j;
}

Json split_value_json(const SplitValue& value) {
  if (const auto* one = std::get_if<SplitSpec>(&value)) return spec_json(*one);
  Json list = Json::array();
  for (const auto& s : std::get<std::vector<std::optional<SplitSpec>>>(value))
    list.push_back(s ? spec_json(*s) : Json(nullptr));
  return list;
}

bool is_output_split(const InputSplit& split) {
  if (const auto* one = std::get_if<SplitSpec>(&split.value)) return split_output(*one);
  return false;
}

/// Specs print on one line (`{ "dim": 1, "auto_pad": true }`) so plans read like a table.
std::string inline_text(const Json& j) {
  if (j.is_object()) {
    std::string s = "{ ";
    bool first = true;
    for (const auto& [k, v] : j.items()) {
      if (!first) s += ", ";
      first = false;
      s += Json(k).dump() + ": " + inline_text(v);
    }
    return s + (first ? "}" : " }");
  }
  if (j.is_array()) {
    std::string s = "[";
    for (std::size_t i = 0; i < j.size(); ++i)
      s += (i ? ", " : "") + inline_text(j[i]);
    return s + "]";
  }
  return j.dump();
}

}  // namespace

SequenceParallelPlan plan_from_json(const std::string& text) {
  Json root;
  try {
    root = Json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw PlanError(
        {{Severity::Error, std::nullopt, "", std::nullopt, std::string("not valid JSON: ") + e.what(), {}}});
  }
  Parser parser;
  SequenceParallelPlan plan = parser.parse(root);
  if (!parser.issues.empty()) throw PlanError(std::move(parser.issues));
  return plan;
}

SequenceParallelPlan load_plan_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw PlanError({{Severity::Error, std::nullopt, "", std::nullopt, "cannot open plan file '" + path + "'", {}}});
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    return plan_from_json(buffer.str());
  } catch (const PlanError& e) {
    std::vector<ValidationIssue> issues = e.issues();
    for (ValidationIssue& issue : issues)
      issue.message = path + ": " + issue.message;
    throw PlanError(std::move(issues));
  }
}

std::string plan_to_json(const SequenceParallelPlan& plan) {
  std::string out = "{\n";
  out += "  \"format\": " + Json(kPlanFormat).dump() + ",\n";
  out += "  \"model\": " + Json(plan.model).dump() + ",\n";
  if (!plan.description.empty()) out += "  \"description\": " + Json(plan.description).dump() + ",\n";
  out += "  \"entries\": {";
  bool first_entry = true;
  for (const PlanEntry& e : plan.entries) {
    out += first_entry ? "\n" : ",\n";
    first_entry = false;
    out += "    " + Json(e.key).dump() + ": {";
    bool first_section = true;
    auto section = [&](const char* name, bool output_side) {
      std::string body;
      for (const InputSplit& s : e.splits) {
        if (is_output_split(s) != output_side) continue;
        body += body.empty() ? "\n" : ",\n";
        body += "        " + Json(s.key.to_string()).dump() + ": " + inline_text(split_value_json(s.value));
      }
      if (body.empty()) return;
      out += first_section ? "\n" : ",\n";
      first_section = false;
      out += std::string("      \"") + name + "\": {" + body + "\n      }";
    };
    section("split", false);
    section("split_output", true);
    if (e.gather) {
      Json list = Json::array();
      for (const auto& g : *e.gather)
        list.push_back(output_json(g));
      out += first_section ? "\n" : ",\n";
      first_section = false;
      out += "      \"gather\": " + inline_text(list);
    }
    out += first_section ? "}" : "\n    }";
  }
  out += first_entry ? "}\n}\n" : "\n  }\n}\n";
  return out;
}

}  // namespace spstudio
