// SPDX-License-Identifier: Apache-2.0
#include "sp/hooks/args.h"

#include <stdexcept>

namespace spstudio::sp {

Args&& Args::with(std::string name, Value value) && {
  named.emplace_back(std::move(name), std::move(value));
  return std::move(*this);
}

Args& Args::with(std::string name, Value value) & {
  named.emplace_back(std::move(name), std::move(value));
  return *this;
}

Signature::Signature(std::string class_name, std::vector<std::string> names)
    : class_name_(std::move(class_name)), names_(std::move(names)) {}

int Signature::index_of(std::string_view name) const {
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return static_cast<int>(i);
  return -1;
}

namespace {
std::string parameter_list(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? std::string("none") : out;
}

[[noreturn]] void unknown_parameter(const Signature& s, std::string_view name) {
  throw std::invalid_argument(s.class_name() + " has no forward parameter '" + std::string(name) +
                              "' (parameters: " + parameter_list(s.names()) + ")");
}
}  // namespace

void Signature::require(std::string_view name) const {
  if (index_of(name) < 0) unknown_parameter(*this, name);
}

const Value* Signature::find(const Args& args, std::string_view name) const {
  for (const auto& [n, v] : args.named)
    if (n == name) return &v;
  const int index = index_of(name);
  if (index < 0) unknown_parameter(*this, name);
  return static_cast<std::size_t>(index) < args.positional.size() ? &args.positional[index] : nullptr;
}

Value* Signature::find(Args& args, std::string_view name) const {
  return const_cast<Value*>(find(static_cast<const Args&>(args), name));
}

BoundArgs::BoundArgs(const Signature& signature, Args&& args) : signature_(signature) {
  const std::size_t n = signature.names().size();
  if (args.positional.size() > n)
    throw std::invalid_argument(signature.class_name() + " takes " + std::to_string(n) + " argument(s) (" +
                                parameter_list(signature.names()) + ") but got " +
                                std::to_string(args.positional.size()) + " positional");
  values_ = std::move(args.positional);
  const std::size_t given = values_.size();
  values_.resize(n);
  for (auto& [name, value] : args.named) {
    const int index = signature.index_of(name);
    if (index < 0) unknown_parameter(signature, name);
    if (static_cast<std::size_t>(index) < given)
      throw std::invalid_argument(signature.class_name() + ": parameter '" + name +
                                  "' was given both by position and by name");
    values_[index] = std::move(value);
  }
}

const Value& BoundArgs::operator[](std::string_view name) const {
  const int index = signature_.index_of(name);
  if (index < 0) unknown_parameter(signature_, name);
  return values_[index];
}

at::Tensor BoundArgs::tensor(std::string_view name) const {
  const Value& v = (*this)[name];
  if (!v.isTensor())
    throw std::invalid_argument(signature_.class_name() + ": parameter '" + std::string(name) +
                                "' must be a tensor, got " + value_type_name(v));
  return v.toTensor();
}

std::vector<at::Tensor> BoundArgs::tensor_list(std::string_view name) const {
  const Value& v = (*this)[name];
  std::vector<at::Tensor> out;
  if (v.isTensorList()) {
    for (const at::Tensor& t : v.toTensorVector())
      out.push_back(t);
  } else if (v.isTuple() || v.isList()) {
    const auto items = v.isTuple() ? v.toTupleRef().elements().vec() : v.toListRef().vec();
    for (const Value& item : items) {
      if (!item.isTensor())
        throw std::invalid_argument(signature_.class_name() + ": parameter '" + std::string(name) +
                                    "' must be a list of tensors, found a " + value_type_name(item));
      out.push_back(item.toTensor());
    }
  } else {
    throw std::invalid_argument(signature_.class_name() + ": parameter '" + std::string(name) +
                                "' must be a list of tensors, got " + value_type_name(v));
  }
  return out;
}

Value make_tuple(std::vector<Value> values) {
  return c10::ivalue::Tuple::create(std::move(values));
}

std::vector<at::Tensor> to_tensors(const Value& value) {
  std::vector<at::Tensor> out;
  if (value.isTensorList()) return value.toTensorVector();
  if (!value.isTuple() && !value.isList())
    throw std::invalid_argument("expected a tuple or list of tensors, got a " + value_type_name(value));
  for (const Value& v : value.isTuple() ? value.toTupleRef().elements().vec() : value.toListRef().vec()) {
    if (!v.isTensor()) throw std::invalid_argument("expected a tensor element, got a " + value_type_name(v));
    out.push_back(v.toTensor());
  }
  return out;
}

Value make_tensor_list(const std::vector<at::Tensor>& tensors) {
  return Value(tensors);
}

std::string value_type_name(const Value& value) {
  if (value.isTensor()) return "Tensor";
  if (value.isNone()) return "None";
  if (value.isTuple()) return "tuple";
  if (value.isTensorList() || value.isList()) return "list";
  if (value.isInt()) return "int";
  if (value.isDouble()) return "float";
  if (value.isBool()) return "bool";
  if (value.isString()) return "string";
  return value.tagKind();
}

}  // namespace spstudio::sp
