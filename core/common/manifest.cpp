// SPDX-License-Identifier: Apache-2.0
#include "common/manifest.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace spstudio {
namespace {

using Json = nlohmann::ordered_json;

const char* kind_name(ModuleKind k) {
  switch (k) {
    case ModuleKind::List:
      return "list";
    case ModuleKind::Dict:
      return "dict";
    case ModuleKind::Module:
      break;
  }
  return "module";
}

Json shape_json(const ValueShape& s) {
  switch (s.kind) {
    case ValueShape::Kind::None:
      return nullptr;
    case ValueShape::Kind::Tensor:
      return Json{{"tensor", s.sizes}};
    case ValueShape::Kind::Int:
      return Json{{"int", s.value}};
    case ValueShape::Kind::Other:
      return Json{{"other", s.type_name}};
    case ValueShape::Kind::List: {
      Json items = Json::array();
      for (const ValueShape& i : s.items)
        items.push_back(shape_json(i));
      return Json{{"list", items}};
    }
  }
  return nullptr;
}

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::runtime_error("manifest: " + where + ": " + what);
}

ValueShape shape_from(const Json& j, const std::string& where) {
  if (j.is_null()) return ValueShape::none();
  if (!j.is_object() || j.size() != 1) fail(where, "a shape is null or {\"tensor\"|\"list\"|\"int\"|\"other\": ...}");
  const std::string k = j.begin().key();
  const Json& v = j.begin().value();
  if (k == "tensor") return ValueShape::tensor(v.get<std::vector<std::int64_t>>());
  if (k == "int") return ValueShape::integer(v.get<std::int64_t>());
  if (k == "other") {
    ValueShape s;
    s.kind = ValueShape::Kind::Other;
    s.type_name = v.get<std::string>();
    return s;
  }
  if (k == "list") {
    std::vector<ValueShape> items;
    for (std::size_t i = 0; i < v.size(); ++i)
      items.push_back(shape_from(v[i], where + "[" + std::to_string(i) + "]"));
    return ValueShape::list(std::move(items));
  }
  fail(where, "unknown shape kind '" + k + "'");
}

Json node_json(const ModuleNode& n) {
  Json j;
  if (!n.name.empty()) j["name"] = n.name;
  j["class"] = n.class_name;
  j["kind"] = kind_name(n.kind);
  if (n.hookable) {
    j["hookable"] = true;
    j["signature"] = n.signature;
  }
  if (n.attention) {
    j["attention"] = {{"heads", n.attention->heads},
                      {"kv_heads", n.attention->kv_heads},
                      {"skip_sequence_parallel", n.attention->skip_sequence_parallel}};
  }
  if (!n.inputs.empty()) {
    Json inputs = Json::object();
    for (const auto& [name, shape] : n.inputs)
      inputs[name] = shape_json(shape);
    j["inputs"] = inputs;
  }
  if (n.output) j["output"] = shape_json(*n.output);
  if (!n.children.empty()) {
    Json children = Json::array();
    for (const ModuleNode& c : n.children)
      children.push_back(node_json(c));
    j["children"] = children;
  }
  return j;
}

ModuleNode node_from(const Json& j, const std::string& path) {
  const std::string where = path.empty() ? std::string("root") : "'" + path + "'";
  if (!j.is_object()) fail(where, "a module node is an object");
  ModuleNode n;
  try {
    n.name = j.value("name", "");
    n.class_name = j.at("class").get<std::string>();
    const std::string kind = j.value("kind", "module");
    if (kind == "list")
      n.kind = ModuleKind::List;
    else if (kind == "dict")
      n.kind = ModuleKind::Dict;
    else if (kind != "module")
      fail(where, "unknown kind '" + kind + "'");
    n.hookable = j.value("hookable", false);
    if (j.contains("signature")) n.signature = j.at("signature").get<std::vector<std::string>>();
    if (j.contains("attention")) {
      const Json& a = j.at("attention");
      n.attention = AttentionInfo{a.at("heads").get<int>(), a.value("kv_heads", a.at("heads").get<int>()),
                                  a.value("skip_sequence_parallel", false)};
    }
    if (j.contains("inputs"))
      for (const auto& [name, shape] : j.at("inputs").items())
        n.inputs.emplace_back(name, shape_from(shape, where + ".inputs." + name));
    if (j.contains("output")) n.output = shape_from(j.at("output"), where + ".output");
  } catch (const nlohmann::json::exception& e) {
    fail(where, e.what());
  }
  if (j.contains("children")) {
    for (const Json& c : j.at("children")) {
      const std::string child_name = c.is_object() ? c.value("name", "") : "";
      if (child_name.empty()) fail(where, "a child module without a name");
      n.children.push_back(node_from(c, path.empty() ? child_name : path + "." + child_name));
    }
  }
  return n;
}

}  // namespace

ValueShape ValueShape::tensor(std::vector<std::int64_t> s) {
  ValueShape v;
  v.kind = Kind::Tensor;
  v.sizes = std::move(s);
  return v;
}

ValueShape ValueShape::list(std::vector<ValueShape> items) {
  ValueShape v;
  v.kind = Kind::List;
  v.items = std::move(items);
  return v;
}

ValueShape ValueShape::integer(std::int64_t value) {
  ValueShape v;
  v.kind = Kind::Int;
  v.value = value;
  return v;
}

bool ValueShape::operator==(const ValueShape& o) const {
  return kind == o.kind && sizes == o.sizes && items == o.items && value == o.value && type_name == o.type_name;
}

const ModuleNode* ModuleNode::child(const std::string& child_name) const {
  for (const ModuleNode& c : children)
    if (c.name == child_name) return &c;
  return nullptr;
}

const ValueShape* ModuleNode::input(const std::string& param) const {
  for (const auto& [param_name, shape] : inputs)
    if (param_name == param) return &shape;
  return nullptr;
}

int ModuleNode::parameter_index(const std::string& param) const {
  for (std::size_t i = 0; i < signature.size(); ++i)
    if (signature[i] == param) return static_cast<int>(i);
  return -1;
}

std::string manifest_to_json(const ModelManifest& m) {
  Json j;
  j["format"] = kManifestFormat;
  j["model"] = m.model;
  if (m.resolution) j["resolution"] = {m.resolution->first, m.resolution->second};
  if (!m.shipped_plan.empty()) {
    try {
      j["shipped_plan"] = Json::parse(m.shipped_plan);
    } catch (const nlohmann::json::parse_error& e) {
      fail("shipped_plan", std::string("not valid JSON: ") + e.what());
    }
  }
  j["root"] = node_json(m.root);
  return j.dump(1);
}

ModelManifest manifest_from_json(const std::string& text) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    fail("text", std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object() || j.value("format", "") != kManifestFormat)
    fail("format", std::string("expected \"format\": \"") + kManifestFormat + "\"");
  ModelManifest m;
  m.model = j.value("model", "");
  if (j.contains("resolution")) {
    const auto r = j.at("resolution").get<std::vector<int>>();
    if (r.size() != 2) fail("resolution", "expected [height, width]");
    m.resolution = std::make_pair(r[0], r[1]);
  }
  if (j.contains("shipped_plan")) {
    if (!j.at("shipped_plan").is_object()) fail("shipped_plan", "expected a plan object");
    m.shipped_plan = j.at("shipped_plan").dump();
  }
  if (!j.contains("root")) fail("root", "missing");
  m.root = node_from(j.at("root"), "");
  return m;
}

std::string describe_shape(const ValueShape& s) {
  switch (s.kind) {
    case ValueShape::Kind::None:
      return "None";
    case ValueShape::Kind::Int:
      return "int " + std::to_string(s.value);
    case ValueShape::Kind::Other:
      return s.type_name;
    case ValueShape::Kind::Tensor: {
      std::string out = "[";
      for (std::size_t i = 0; i < s.sizes.size(); ++i)
        out += (i ? ", " : "") + std::to_string(s.sizes[i]);
      return out + "]";
    }
    case ValueShape::Kind::List: {
      std::string out = "(";
      for (std::size_t i = 0; i < s.items.size(); ++i)
        out += (i ? ", " : "") + describe_shape(s.items[i]);
      return out + ")";
    }
  }
  return "?";
}

}  // namespace spstudio
