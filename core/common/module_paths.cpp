// SPDX-License-Identifier: Apache-2.0
#include "common/module_paths.h"

#include <algorithm>

#include "common/issues.h"

namespace spstudio {
namespace {

std::vector<std::string> split_atoms(const std::string& key) {
  std::vector<std::string> atoms;
  std::string::size_type start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    atoms.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return atoms;
}

std::string describe_node(const std::string& path, const ModuleNode& node) {
  return (path.empty() ? std::string("the root") : "'" + path + "'") + " (" + node.class_name + ")";
}

void collect(const ModuleNode& node, const std::string& path, std::vector<std::string>& out) {
  out.push_back(path);
  for (const ModuleNode& c : node.children)
    collect(c, join_module_path(path, c.name), out);
}

}  // namespace

std::string join_module_path(const std::string& parent, const std::string& child) {
  return parent.empty() ? child : parent + "." + child;
}

std::vector<std::string> resolve_module_path(const ModuleNode& root, const std::string& key) {
  if (key.empty()) return {""};
  const std::vector<std::string> atoms = split_atoms(key);
  if (std::count(atoms.begin(), atoms.end(), "*") > 1)
    throw PathError("'*' may be used only once in a plan key ('" + key + "')");

  struct Cursor {
    const ModuleNode* node;
    std::string path;
  };
  std::vector<Cursor> cursors{{&root, ""}};
  for (const std::string& atom : atoms) {
    if (atom.empty()) throw PathError("plan key '" + key + "' has an empty path segment");
    std::vector<Cursor> next;
    for (const Cursor& c : cursors) {
      if (atom == "*") {
        if (c.node->kind != ModuleKind::List)
          throw PathError("'*' needs a ModuleList, but " + describe_node(c.path, *c.node) +
                          " is not one (in plan key '" + key + "')");
        for (const ModuleNode& child : c.node->children)
          next.push_back({&child, join_module_path(c.path, child.name)});
      } else if (const ModuleNode* child = c.node->child(atom)) {
        next.push_back({child, join_module_path(c.path, atom)});
      } else {
        throw PathError("'" + atom + "' is not a submodule of " + describe_node(c.path, *c.node) + " (in plan key '" +
                        key + "')");
      }
    }
    cursors = std::move(next);
  }
  std::vector<std::string> paths;
  paths.reserve(cursors.size());
  for (const Cursor& c : cursors)
    paths.push_back(c.path);
  return paths;
}

const ModuleNode* find_module(const ModuleNode& root, const std::string& path) {
  if (path.empty()) return &root;
  const ModuleNode* node = &root;
  for (const std::string& atom : split_atoms(path)) {
    node = node->child(atom);
    if (!node) return nullptr;
  }
  return node;
}

std::vector<std::string> module_paths_in_order(const ModuleNode& root) {
  std::vector<std::string> out;
  collect(root, "", out);
  return out;
}

}  // namespace spstudio
