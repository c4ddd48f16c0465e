// SPDX-License-Identifier: Apache-2.0
// Shapes before and after each split and gather of a plan, from the shapes a describe run recorded.
#include "ui/plan/split_shapes.h"

namespace spstudio::ui {
namespace {

using Sizes = std::vector<std::int64_t>;

std::string str(std::int64_t n) {
  return std::to_string(n);
}

ShapeChange unchanged(const Sizes& sizes, std::string why) {
  return {ShapeChange::Outcome::Unchanged, sizes, sizes, 0, std::move(why)};
}
ShapeChange failed(const Sizes& sizes, std::string why) {
  return {ShapeChange::Outcome::Error, sizes, sizes, 0, std::move(why)};
}
ShapeChange unknown(std::string why) {
  return {ShapeChange::Outcome::Unknown, {}, {}, 0, std::move(why)};
}

/// The dim normalised into [0, rank), or nullopt when out of range.
std::optional<int> normalised_dim(int dim, std::size_t rank) {
  const int r = static_cast<int>(rank);
  if (dim < -r || dim >= r) return std::nullopt;
  return dim < 0 ? dim + r : dim;
}

std::string rank_mismatch(int expected, std::size_t rank) {
  return "expected_dims " + std::to_string(expected) + ", the tensor has " + std::to_string(rank) + " dims";
}

/// The change a split spec makes to one recorded value (tensor, None, or something unsplittable).
ShapeChange split_value_shape(const ValueShape& shape, const SplitSpec& spec, int sp_size, const ModuleNode& node) {
  switch (shape.kind) {
    case ValueShape::Kind::None:
      return unchanged({}, "not passed at this resolution");
    case ValueShape::Kind::Tensor: {
      std::optional<std::int64_t> text_len;
      if (const auto* partial = std::get_if<SequenceParallelPartialInput>(&spec))
        text_len = resolve_text_len(partial->text_len, node);
      return split_tensor_shape(shape.sizes, spec, sp_size, text_len);
    }
    default:
      return failed({}, "a split needs a tensor, but this is " + describe_shape(shape));
  }
}

/// Element `index` of a module's recorded output (a tuple's element, or the bare tensor for 0).
const ValueShape* output_element(const ModuleNode& node, int index) {
  if (!node.output || index < 0) return nullptr;
  if (node.output->kind == ValueShape::Kind::List)
    return static_cast<std::size_t>(index) < node.output->items.size() ? &node.output->items[index] : nullptr;
  return index == 0 ? &*node.output : nullptr;
}

std::string output_count_text(const ModuleNode& node) {
  const bool tuple = node.output->kind == ValueShape::Kind::List;
  const std::size_t count = tuple ? node.output->items.size() : 1;
  return "the module returns " + std::to_string(count) + " output(s)";
}

bool is_output_side(const InputSplit& s) {
  const auto* one = std::get_if<SplitSpec>(&s.value);
  return s.key.is_index() || (one && split_output(*one));
}

void add_split_lines(const InputSplit& s, const ModuleNode& node, int sp_size, std::vector<ShapeLine>& lines) {
  if (const int* index = s.key.as_index()) {
    const std::string label = "output[" + std::to_string(*index) + "]";
    const auto* spec = std::get_if<SplitSpec>(&s.value);
    if (!spec) return;  // a list under an output index: the validator reports it
    if (!node.output) {
      lines.push_back({label, unknown("no output recorded")});
    } else if (const ValueShape* shape = output_element(node, *index)) {
      lines.push_back({label, split_value_shape(*shape, *spec, sp_size, node)});
    } else {
      lines.push_back({label, failed({}, "index out of range: " + output_count_text(node))});
    }
    return;
  }
  const std::string& name = *s.key.as_name();
  const ValueShape* shape = node.input(name);
  if (const auto* spec = std::get_if<SplitSpec>(&s.value)) {
    lines.push_back({name, shape ? split_value_shape(*shape, *spec, sp_size, node) : unknown("no shape recorded")});
    return;
  }
  const auto& list = std::get<std::vector<std::optional<SplitSpec>>>(s.value);
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i]) continue;
    const std::string label = name + "[" + std::to_string(i) + "]";
    if (!shape) {
      lines.push_back({label, unknown("no shape recorded")});
    } else if (shape->kind != ValueShape::Kind::List || i >= shape->items.size()) {
      lines.push_back(
          {label, failed({}, "the argument is " + describe_shape(*shape) + ", with no element " + std::to_string(i))});
    } else {
      lines.push_back({label, split_value_shape(shape->items[i], *list[i], sp_size, node)});
    }
  }
}

}  // namespace

std::string describe_sizes(const std::vector<std::int64_t>& sizes) {
  return describe_shape(ValueShape::tensor(sizes));
}

ShapeChange split_tensor_shape(const std::vector<std::int64_t>& sizes, const SplitSpec& spec, int sp_size,
                               std::optional<std::int64_t> text_len) {
  if (auto ed = expected_dims(spec); ed && static_cast<std::size_t>(*ed) != sizes.size())
    return unchanged(sizes, rank_mismatch(*ed, sizes.size()));
  if (sp_size < 1) return failed(sizes, "SP size " + std::to_string(sp_size) + " is not a degree");
  const std::optional<int> dim = normalised_dim(split_dim(spec), sizes.size());
  if (!dim) return failed(sizes, "dim " + std::to_string(split_dim(spec)) + " is out of range");
  const std::int64_t length = sizes[*dim];
  if (length == 0) return unchanged(sizes, "size 0 on dim " + std::to_string(*dim));
  const std::int64_t p = sp_size;
  ShapeChange change{ShapeChange::Outcome::Changed, sizes, sizes, 0, {}};

  if (const auto* partial = std::get_if<SequenceParallelPartialInput>(&spec)) {
    if (const auto* constant = std::get_if<std::int64_t>(&partial->text_len); constant && !text_len)
      text_len = *constant;
    if (!text_len) return failed(sizes, "the text length is unknown");
    if (*text_len < 0) return failed(sizes, "text_len cannot be negative");
    if (*text_len > length) return failed(sizes, "text_len " + str(*text_len) + " exceeds the length " + str(length));
    const std::int64_t image = length - *text_len;
    if (image % p != 0)
      return failed(sizes, "image length " + str(image) + " (after " + str(*text_len) + " text rows) on dim " +
                               str(*dim) + " is not divisible by the SP size " + str(p));
    change.after[*dim] = *text_len + image / p;
    return change;
  }
  if (length % p == 0) {
    change.after[*dim] = length / p;
    return change;
  }
  if (!auto_pad(spec))
    return failed(sizes,
                  "length " + str(length) + " on dim " + str(*dim) + " is not divisible by the SP size " + str(p));
  const std::int64_t shard = (length + p - 1) / p;
  change.after[*dim] = shard;
  change.padded_to = shard * p;
  change.note = "padded " + str(length) + " → " + str(change.padded_to);
  return change;
}

ShapeChange gather_tensor_shape(const std::vector<std::int64_t>& full_sizes, const SequenceParallelOutput& spec,
                                int sp_size) {
  if (spec.expected_dims && static_cast<std::size_t>(*spec.expected_dims) != full_sizes.size())
    return unchanged(full_sizes, rank_mismatch(*spec.expected_dims, full_sizes.size()));
  if (sp_size < 1) return failed(full_sizes, "SP size " + std::to_string(sp_size) + " is not a degree");
  const std::optional<int> dim = normalised_dim(spec.gather_dim, full_sizes.size());
  if (!dim) return failed(full_sizes, "dim " + std::to_string(spec.gather_dim) + " is out of range");
  const std::int64_t length = full_sizes[*dim];
  const std::int64_t p = sp_size;
  const std::int64_t shard = (length + p - 1) / p;
  ShapeChange change{ShapeChange::Outcome::Changed, full_sizes, full_sizes, 0, {}};
  change.before[*dim] = shard;
  if (shard * p != length) {
    change.padded_to = shard * p;
    change.note = "trims the padding " + str(change.padded_to) + " → " + str(length);
  }
  return change;
}

std::optional<std::int64_t> resolve_text_len(const TextLenSource& source, const ModuleNode& node) {
  if (const auto* n = std::get_if<std::int64_t>(&source)) return *n;
  const ValueShape* shape = node.input(std::get<std::string>(source));
  if (!shape) return std::nullopt;
  if (shape->kind == ValueShape::Kind::Tensor && !shape->sizes.empty()) return shape->sizes[0];
  if (shape->kind == ValueShape::Kind::Int) return shape->value;
  return std::nullopt;
}

std::vector<ShapeLine> entry_shape_lines(const PlanEntry& entry, const ModuleNode& node, int sp_size) {
  std::vector<ShapeLine> lines;
  for (const bool output_side : {false, true})
    for (const InputSplit& s : entry.splits)
      if (is_output_side(s) == output_side) add_split_lines(s, node, sp_size, lines);
  if (!entry.gather) return lines;
  for (std::size_t i = 0; i < entry.gather->size(); ++i) {
    const auto& spec = (*entry.gather)[i];
    if (!spec) continue;
    const std::string label = "gather output[" + std::to_string(i) + "]";
    const ValueShape* shape = output_element(node, static_cast<int>(i));
    if (!node.output) {
      lines.push_back({label, unknown("no output recorded")});
    } else if (!shape) {
      lines.push_back({label, failed({}, "index out of range: " + output_count_text(node))});
    } else if (shape->kind == ValueShape::Kind::None) {
      lines.push_back({label, unchanged({}, "not returned at this resolution")});
    } else if (shape->kind != ValueShape::Kind::Tensor) {
      lines.push_back({label, failed({}, "a gather needs a tensor, but this is " + describe_shape(*shape))});
    } else {
      lines.push_back({label, gather_tensor_shape(shape->sizes, *spec, sp_size)});
    }
  }
  return lines;
}

std::string describe_shape_line(const ShapeLine& line) {
  const ShapeChange& c = line.change;
  const std::string before = c.before.empty() ? std::string() : " " + describe_sizes(c.before);
  switch (c.outcome) {
    case ShapeChange::Outcome::Changed:
      return line.label + before + " → " + describe_sizes(c.after) + (c.note.empty() ? "" : " (" + c.note + ")");
    case ShapeChange::Outcome::Unchanged:
      return line.label + before + " passes unchanged: " + c.note;
    case ShapeChange::Outcome::Error:
      return line.label + before + ": " + c.note;
    case ShapeChange::Outcome::Unknown:
      return line.label + ": " + c.note;
  }
  return line.label;
}

}  // namespace spstudio::ui
