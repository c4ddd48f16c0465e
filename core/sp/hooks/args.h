// SPDX-License-Identifier: Apache-2.0
// The calling convention of hookable modules. LibTorch's typed forward()s cannot be intercepted
// generically, so hookable modules take dynamically typed values (c10::IValue: tensor, tuple/list,
// None, int, double, bool, string), positional and named, and declare their parameter names in
// order (C++ has no reflection, and we never infer a signature).
#pragma once

#include <ATen/core/ivalue.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spstudio::sp {

using Value = c10::IValue;

/// The arguments of one module call, as the caller wrote them.
struct Args {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> named;

  Args() = default;
  Args(std::initializer_list<Value> values) : positional(values) {}

  /// Adds a named argument: `Args{x}.with("temb", t)`.
  Args&& with(std::string name, Value value) &&;
  Args& with(std::string name, Value value) &;
};

/// A module class's declared forward parameters, in order.
class Signature {
 public:
  Signature(std::string class_name, std::vector<std::string> names);

  const std::string& class_name() const { return class_name_; }
  const std::vector<std::string>& names() const { return names_; }
  int index_of(std::string_view name) const;  ///< -1 when not declared
  /// Throws std::invalid_argument naming the class and its parameters when `name` is not declared.
  void require(std::string_view name) const;

  /// Where parameter `name` is in `args`: the named value first, else the positional one at its
  /// declared index; nullptr when it was not passed. Throws std::invalid_argument when `name` is
  /// not a declared parameter ("Block has no forward parameter 'x' (parameters: a, b)").
  Value* find(Args& args, std::string_view name) const;
  const Value* find(const Args& args, std::string_view name) const;

 private:
  std::string class_name_;
  std::vector<std::string> names_;
};

/// Arguments bound to a signature: one slot per declared parameter (None when not passed).
class BoundArgs {
 public:
  /// Throws std::invalid_argument for too many positional values, an undeclared name, or a
  /// parameter given both by position and by name.
  BoundArgs(const Signature& signature, Args&& args);

  const Value& operator[](std::string_view name) const;
  const Value& at(std::size_t index) const { return values_.at(index); }
  std::size_t size() const { return values_.size(); }

  /// The tensor argument `name`; throws naming the module and parameter when it is not a tensor.
  at::Tensor tensor(std::string_view name) const;
  std::vector<at::Tensor> tensor_list(std::string_view name) const;

 private:
  const Signature& signature_;
  std::vector<Value> values_;
};

/// A tuple of values (a module returning several outputs).
Value make_tuple(std::vector<Value> values);
/// The tensors of a tuple or list value (a module's several outputs); throws for anything else.
std::vector<at::Tensor> to_tensors(const Value& value);
/// A list of tensors as one value (a list parameter).
Value make_tensor_list(const std::vector<at::Tensor>& tensors);

/// "Tensor", "None", "tuple", "int", ... for error messages.
std::string value_type_name(const Value& value);

}  // namespace spstudio::sp
