// SPDX-License-Identifier: Apache-2.0
// split_shapes: the shard one rank holds after whole and partial splits (auto_pad rounding up,
// divisibility errors, expected_dims and size-0 pass-through, negative dims), gathers giving the
// full shape back, list arguments and split_outputs through entry_shape_lines, and the line texts.
// Every expected shape is worked out by hand in the comments.
#include <QtTest>

#include "ui/plan/split_shapes.h"

using namespace spstudio;
using namespace spstudio::ui;
using Sizes = std::vector<std::int64_t>;
using Outcome = ShapeChange::Outcome;

namespace {

SplitSpec whole(int dim, bool pad = false, std::optional<int> expected = std::nullopt) {
  SequenceParallelInput s;
  s.split_dim = dim;
  s.auto_pad = pad;
  s.expected_dims = expected;
  return s;
}

SplitSpec partial(int dim, TextLenSource text_len) {
  SequenceParallelPartialInput s;
  s.split_dim = dim;
  s.text_len = std::move(text_len);
  return s;
}

SplitSpec output(int dim, bool pad = false) {
  SequenceParallelInput s;
  s.split_dim = dim;
  s.split_output = true;
  s.auto_pad = pad;
  return s;
}

/// A block like Flux's: hidden_states [1, 256, 64], txt_ids [512, 3], a 4-element RoPE list, and a
/// (hidden, encoder) tuple output.
ModuleNode block() {
  ModuleNode node;
  node.name = "block";
  node.class_name = "Block";
  node.hookable = true;
  node.signature = {"hidden_states", "txt_ids", "image_rotary_emb", "joint"};
  node.inputs = {{"hidden_states", ValueShape::tensor({1, 256, 64})},
                 {"txt_ids", ValueShape::tensor({512, 3})},
                 {"image_rotary_emb", ValueShape::list({ValueShape::tensor({512, 16}), ValueShape::tensor({512, 16}),
                                                        ValueShape::tensor({256, 16}), ValueShape::tensor({256, 16})})},
                 {"joint", ValueShape::tensor({1, 768, 64})}};
  node.output = ValueShape::list({ValueShape::tensor({1, 256, 64}), ValueShape::tensor({1, 512, 64})});
  return node;
}

QStringList texts(const std::vector<ShapeLine>& lines) {
  QStringList out;
  for (const ShapeLine& line : lines)
    out << QString::fromStdString(describe_shape_line(line));
  return out;
}

}  // namespace

class TestSplitShapes : public QObject {
  Q_OBJECT
 private slots:
  void wholeSplitDivides() {
    // 256 tokens over 4 ranks: 64 each.
    const ShapeChange c = split_tensor_shape({1, 256, 64}, whole(1), 4);
    QCOMPARE(c.outcome, Outcome::Changed);
    QCOMPARE(c.before, (Sizes{1, 256, 64}));
    QCOMPARE(c.after, (Sizes{1, 64, 64}));
    QCOMPARE(c.padded_to, std::int64_t{0});
    // dim -2 of a 3-D tensor is dim 1; SP size 8 → 32 rows.
    QCOMPARE(split_tensor_shape({1, 256, 64}, whole(-2), 8).after, (Sizes{1, 32, 64}));
    // One rank: the shard is the whole tensor.
    QCOMPARE(split_tensor_shape({1, 256, 64}, whole(1), 1).after, (Sizes{1, 256, 64}));
  }

  void wholeSplitNotDividing() {
    // 250 % 4 = 2: an error without auto_pad...
    const ShapeChange refused = split_tensor_shape({1, 250, 64}, whole(1), 4);
    QCOMPARE(refused.outcome, Outcome::Error);
    QVERIFY2(refused.note.find("250") != std::string::npos && refused.note.find("divisible") != std::string::npos,
             refused.note.c_str());
    // ...and with it, ceil(250 / 4) = 63 rows per rank, padded to 4 × 63 = 252.
    const ShapeChange padded = split_tensor_shape({1, 250, 64}, whole(1, true), 4);
    QCOMPARE(padded.outcome, Outcome::Changed);
    QCOMPARE(padded.after, (Sizes{1, 63, 64}));
    QCOMPARE(padded.padded_to, std::int64_t{252});
    // Fewer rows than ranks: 3 rows over 4 ranks pad to 4, one row each.
    QCOMPARE(split_tensor_shape({3, 8}, whole(0, true), 4).after, (Sizes{1, 8}));
  }

  void passThroughAndErrors() {
    // expected_dims 4 on a 3-D tensor: passes unchanged.
    const ShapeChange skipped = split_tensor_shape({1, 256, 64}, whole(1, false, 4), 4);
    QCOMPARE(skipped.outcome, Outcome::Unchanged);
    QCOMPARE(skipped.after, (Sizes{1, 256, 64}));
    // expected_dims 3 on a 3-D tensor: split as usual.
    QCOMPARE(split_tensor_shape({1, 256, 64}, whole(1, false, 3), 2).after, (Sizes{1, 128, 64}));
    // Size 0 on the split dim: unchanged (SP_SEMANTICS §2).
    QCOMPARE(split_tensor_shape({1, 0, 64}, whole(1), 4).outcome, Outcome::Unchanged);
    // dim 3 of a 3-D tensor does not exist.
    QCOMPARE(split_tensor_shape({1, 256, 64}, whole(3), 4).outcome, Outcome::Error);
    QCOMPARE(split_tensor_shape({1, 256, 64}, whole(-4), 4).outcome, Outcome::Error);
    QCOMPARE(split_tensor_shape({1, 256, 64}, whole(1), 0).outcome, Outcome::Error);
  }

  void partialSplit() {
    // [text 512 | image 256] over 4 ranks: 512 text rows stay, 256 / 4 = 64 image rows → 576.
    const ShapeChange c = split_tensor_shape({1, 768, 64}, partial(1, std::int64_t{512}), 4);
    QCOMPARE(c.outcome, Outcome::Changed);
    QCOMPARE(c.after, (Sizes{1, 576, 64}));
    // 256 image rows over 3 ranks: 256 % 3 = 1, and a partial split never pads.
    const ShapeChange uneven = split_tensor_shape({1, 768, 64}, partial(1, std::int64_t{512}), 3);
    QCOMPARE(uneven.outcome, Outcome::Error);
    QVERIFY2(uneven.note.find("image length 256") != std::string::npos, uneven.note.c_str());
    // More text than rows.
    QCOMPARE(split_tensor_shape({1, 768, 64}, partial(1, std::int64_t{800}), 4).outcome, Outcome::Error);
    QCOMPARE(split_tensor_shape({1, 768, 64}, partial(1, std::int64_t{-1}), 4).outcome, Outcome::Error);
    // Unknown text length.
    QCOMPARE(split_tensor_shape({1, 768, 64}, partial(1, std::string("txt_ids")), 4).outcome, Outcome::Error);
  }

  void textLenFromParameter() {
    const ModuleNode node = block();
    QCOMPARE(resolve_text_len(std::int64_t{7}, node), std::optional<std::int64_t>(7));
    // txt_ids is [512, 3]: its size along dim 0.
    QCOMPARE(resolve_text_len(std::string("txt_ids"), node), std::optional<std::int64_t>(512));
    QCOMPARE(resolve_text_len(std::string("missing"), node), std::optional<std::int64_t>());
    ModuleNode with_int = node;
    with_int.inputs.push_back({"text_len", ValueShape::integer(100)});
    QCOMPARE(resolve_text_len(std::string("text_len"), with_int), std::optional<std::int64_t>(100));

    PlanEntry entry{"block", {{InputKey::name("joint"), partial(1, std::string("txt_ids"))}}, std::nullopt};
    // joint [1, 768, 64] with 512 text rows over 2 ranks: 512 + 256 / 2 = 640.
    QCOMPARE(texts(entry_shape_lines(entry, node, 2)), QStringList{"joint [1, 768, 64] → [1, 640, 64]"});
  }

  void gather() {
    // Each of 4 ranks holds 64 of 256 rows; the gather gives [1, 256, 64] back.
    const ShapeChange c = gather_tensor_shape({1, 256, 64}, SequenceParallelOutput{1, std::nullopt, std::nullopt}, 4);
    QCOMPARE(c.outcome, Outcome::Changed);
    QCOMPARE(c.before, (Sizes{1, 64, 64}));
    QCOMPARE(c.after, (Sizes{1, 256, 64}));
    // 250 rows were padded to 252 (63 per rank); the gather trims back to 250.
    const ShapeChange padded = gather_tensor_shape({1, 250, 64}, SequenceParallelOutput{1, 3, std::nullopt}, 4);
    QCOMPARE(padded.before, (Sizes{1, 63, 64}));
    QCOMPARE(padded.after, (Sizes{1, 250, 64}));
    QCOMPARE(padded.padded_to, std::int64_t{252});
    QCOMPARE(gather_tensor_shape({1, 256, 64}, SequenceParallelOutput{1, 4, std::nullopt}, 4).outcome,
             Outcome::Unchanged);
  }

  void entryLines() {
    const ModuleNode node = block();
    PlanEntry entry;
    entry.key = "block";
    entry.splits.push_back({InputKey::name("hidden_states"), whole(1)});
    entry.splits.push_back({InputKey::name("image_rotary_emb"),
                            std::vector<std::optional<SplitSpec>>{std::nullopt, std::nullopt, whole(0), whole(0)}});
    entry.splits.push_back({InputKey::index(1), output(1)});
    entry.gather =
        std::vector<std::optional<SequenceParallelOutput>>{SequenceParallelOutput{1, 3, std::nullopt}, std::nullopt};
    // p = 4: 256 / 4 = 64; the image RoPE tables [256, 16] → [64, 16]; output 1 is [1, 512, 64] →
    // 512 / 4 = 128; the gather of output 0 takes [1, 64, 64] back to [1, 256, 64].
    QCOMPARE(texts(entry_shape_lines(entry, node, 4)), (QStringList{
                                                           "hidden_states [1, 256, 64] → [1, 64, 64]",
                                                           "image_rotary_emb[2] [256, 16] → [64, 16]",
                                                           "image_rotary_emb[3] [256, 16] → [64, 16]",
                                                           "output[1] [1, 512, 64] → [1, 128, 64]",
                                                           "gather output[0] [1, 64, 64] → [1, 256, 64]",
                                                       }));
  }

  void entryLineTexts() {
    const ModuleNode node = block();
    PlanEntry entry;
    entry.key = "block";
    entry.splits.push_back({InputKey::name("hidden_states"), whole(1, true, 4)});  // 3-D: skipped
    entry.splits.push_back({InputKey::name("image_rotary_emb"), whole(0)});        // a list, not a tensor
    entry.splits.push_back({InputKey::name("not_recorded"), whole(1)});
    entry.splits.push_back({InputKey::index(5), output(1)});  // the block returns 2 outputs
    const QStringList lines = texts(entry_shape_lines(entry, node, 4));
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines[0], QString("hidden_states [1, 256, 64] passes unchanged: expected_dims 4, the tensor has 3 dims"));
    QVERIFY2(lines[1].startsWith("image_rotary_emb: a split needs a tensor"), qPrintable(lines[1]));
    QCOMPARE(lines[2], QString("not_recorded: no shape recorded"));
    QCOMPARE(lines[3], QString("output[5]: index out of range: the module returns 2 output(s)"));

    // 250 rows with auto_pad over 4 ranks: 63 each, the padding named.
    ModuleNode odd = node;
    odd.inputs[0].second = ValueShape::tensor({1, 250, 64});
    PlanEntry padded{"block", {{InputKey::name("hidden_states"), whole(1, true)}}, std::nullopt};
    QCOMPARE(texts(entry_shape_lines(padded, odd, 4)),
             QStringList{QString::fromUtf8("hidden_states [1, 250, 64] → [1, 63, 64] (padded 250 → 252)")});
    PlanEntry strict{"block", {{InputKey::name("hidden_states"), whole(1)}}, std::nullopt};
    QCOMPARE(texts(entry_shape_lines(strict, odd, 4)),
             QStringList{"hidden_states [1, 250, 64]: length 250 on dim 1 is not divisible by the SP size 4"});
  }
};

QTEST_APPLESS_MAIN(TestSplitShapes)
#include "test_split_shapes.moc"
