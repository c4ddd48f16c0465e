// SPDX-License-Identifier: Apache-2.0
// Reading and writing single safetensors files: round trips, the exact bytes, and corrupt headers.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cstring>

#include "error_text.h"
#include "models/weights/safetensors.h"
#include "models/weights/safetensors_writer.h"
#include "models/weights/weights_error.h"
#include "weights_test_files.h"

namespace spstudio::models {
namespace {

using testing::error_of;
using testing::raw_safetensors;
using testing::ScratchDir;
using testing::write_bytes;

/// Every bit pattern is fair game (NaNs, -0, denormals): the round trip must keep all of them.
at::Tensor random_bits(at::ScalarType dtype, at::IntArrayRef shape, at::Generator& gen) {
  if (dtype == at::kBool) return at::randint(0, 2, shape, gen, at::kByte).to(at::kBool);
  at::Tensor t = at::empty(shape, dtype);
  const at::Tensor bytes = at::randint(0, 256, {t.numel() * t.element_size()}, gen, at::kByte);
  if (t.numel() > 0) std::memcpy(t.data_ptr(), bytes.data_ptr(), bytes.numel());  // empty: null pointers
  return t;
}

bool bit_identical(const at::Tensor& a, const at::Tensor& b) {
  if (a.scalar_type() != b.scalar_type() || a.sizes() != b.sizes()) return false;
  const at::Tensor ca = a.contiguous(), cb = b.contiguous();
  return ca.numel() == 0 || std::memcmp(ca.data_ptr(), cb.data_ptr(), ca.numel() * ca.element_size()) == 0;
}

/// Files the atomic writer left next to `target` (its temporaries are "<target>.XXXXXX").
int temporary_files_of(const std::filesystem::path& target) {
  const std::string prefix = target.filename().string() + ".";
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(target.parent_path()))
    if (entry.path().filename().string().rfind(prefix, 0) == 0) ++count;
  return count;
}

TEST(Safetensors, RoundTripOfEveryDtypeIsBitIdenticalAndKeepsMetadata) {
  ScratchDir dir;
  at::Generator gen = at::detail::createCPUGenerator(7);
  const std::vector<std::pair<std::string, at::ScalarType>> dtypes = {
      {"F64", at::kDouble}, {"F32", at::kFloat}, {"F16", at::kHalf}, {"BF16", at::kBFloat16}, {"I64", at::kLong},
      {"I32", at::kInt},    {"I16", at::kShort}, {"I8", at::kChar},  {"U8", at::kByte},       {"BOOL", at::kBool}};
  NamedTensors tensors;
  for (const auto& [name, dtype] : dtypes) {
    tensors.emplace_back(name + ".matrix", random_bits(dtype, {3, 5}, gen));  // odd sizes misalign what follows
    tensors.emplace_back(name + ".scalar", random_bits(dtype, {}, gen));
    tensors.emplace_back(name + ".empty", random_bits(dtype, {0, 4}, gen));
  }
  const std::map<std::string, std::string> metadata = {{"format", "pt"}, {"note", "ünïcode ✓"}};
  save_safetensors(dir / "all.safetensors", tensors, metadata);

  const SafetensorsFile file(dir / "all.safetensors");
  EXPECT_EQ(file.metadata(), metadata);
  ASSERT_EQ(file.names().size(), tensors.size());
  for (const auto& [name, expected] : tensors) {
    EXPECT_EQ(file.info(name).dtype_name, name.substr(0, name.find('.'))) << name;
    EXPECT_TRUE(bit_identical(file.tensor(name), expected)) << name;
    EXPECT_TRUE(bit_identical(file.load(name, expected.scalar_type()), expected)) << name;
  }
  EXPECT_EQ(temporary_files_of(dir / "all.safetensors"), 0);
}

TEST(Safetensors, WritesNonContiguousAndGradTensorsByValue) {
  ScratchDir dir;
  const at::Tensor base = at::arange(12, at::kFloat).view({3, 4});
  const at::Tensor grad = at::ones({2}).requires_grad_(true);
  save_safetensors(dir / "x.safetensors", {{"t", base.t()}, {"g", grad}});
  const SafetensorsFile file(dir / "x.safetensors");
  EXPECT_TRUE(file.tensor("t").equal(base.t().contiguous()));
  EXPECT_TRUE(file.tensor("g").equal(at::ones({2})));
}

TEST(Safetensors, WritesTheExactBytesOfTheReferenceFormat) {
  ScratchDir dir;
  save_safetensors(dir / "small.safetensors",
                   {{"b", at::tensor({1.0f, -2.0f})}, {"a", at::tensor({1, 2, 3}, at::kChar)}}, {{"format", "pt"}});
  // 138 bytes of compact JSON with sorted keys + 6 spaces = 144 = 0x90; data in sorted-name order.
  const std::string header = R"({"__metadata__":{"format":"pt"},"a":{"data_offsets":[0,3],"dtype":"I8","shape":[3]},)"
                             R"("b":{"data_offsets":[3,11],"dtype":"F32","shape":[2]}})"
                             "      ";
  const std::string expected = std::string("\x90\0\0\0\0\0\0\0", 8) + header + std::string("\x01\x02\x03", 3) +  // a
                               std::string("\0\0\x80\x3f\0\0\0\xc0", 8);  // b: 1.0f, -2.0f
  EXPECT_EQ(testing::read_bytes(dir / "small.safetensors"), expected);

  // b's data starts at an odd address in the mapping: it is read through an aligned copy.
  const SafetensorsFile file(dir / "small.safetensors");
  EXPECT_TRUE(file.tensor("b").equal(at::tensor({1.0f, -2.0f})));
  EXPECT_TRUE(file.tensor("a").equal(at::tensor({1, 2, 3}, at::kChar)));
}

TEST(Safetensors, WritesNoMetadataKeyWhenThereIsNone) {
  ScratchDir dir;
  save_safetensors(dir / "x.safetensors", {{"x", at::zeros({1}, at::kByte)}});
  const std::string header = R"({"x":{"data_offsets":[0,1],"dtype":"U8","shape":[1]}})";
  EXPECT_EQ(testing::read_bytes(dir / "x.safetensors"),
            raw_safetensors(header + std::string(8 - header.size() % 8, ' '), std::string(1, '\0')));
}

TEST(Safetensors, TensorViewsTheMappingAndOutlivesTheFileObject) {
  ScratchDir dir;
  const at::Tensor values = at::arange(8, at::kFloat);
  save_safetensors(dir / "x.safetensors", {{"x", values}});
  at::Tensor view, again;
  {
    const SafetensorsFile file(dir / "x.safetensors");
    view = file.tensor("x");
    again = file.tensor("x");
    const at::Tensor owned = file.load("x", at::kDouble);
    EXPECT_EQ(owned.scalar_type(), at::kDouble);
    EXPECT_TRUE(owned.is_contiguous());
    EXPECT_TRUE(owned.equal(values.to(at::kDouble)));
    EXPECT_NE(owned.data_ptr(), view.data_ptr());
    EXPECT_NE(file.load("x", at::kFloat).data_ptr(), view.data_ptr());
  }
  EXPECT_EQ(view.data_ptr(), again.data_ptr());  // both view the same mapped bytes: no copy
  EXPECT_TRUE(view.equal(values));               // still mapped after the file object is gone
}

TEST(Safetensors, LoadConvertsHalfPrecisionToFloat) {
  ScratchDir dir;
  at::Generator gen = at::detail::createCPUGenerator(3);
  const at::Tensor half = at::randn({4, 4}, gen).to(at::kHalf);
  const at::Tensor bf16 = at::randn({4, 4}, gen).to(at::kBFloat16);
  save_safetensors(dir / "x.safetensors", {{"h", half}, {"b", bf16}});
  const SafetensorsFile file(dir / "x.safetensors");
  EXPECT_TRUE(file.load("h", at::kFloat).equal(half.to(at::kFloat)));
  EXPECT_TRUE(file.load("b", at::kFloat).equal(bf16.to(at::kFloat)));
}

TEST(Safetensors, OverlappingAndOutOfOrderRangesWithinTheBufferAreAccepted) {
  ScratchDir dir;
  write_bytes(dir / "x.safetensors", raw_safetensors(R"({"late":{"dtype":"U8","shape":[2],"data_offsets":[2,4]},)"
                                                     R"("early":{"dtype":"U8","shape":[3],"data_offsets":[0,3]}})",
                                                     std::string("\x01\x02\x03\x04", 4)));
  const SafetensorsFile file(dir / "x.safetensors");
  EXPECT_TRUE(file.tensor("late").equal(at::tensor({3, 4}, at::kByte)));
  EXPECT_TRUE(file.tensor("early").equal(at::tensor({1, 2, 3}, at::kByte)));
}

/// The error of opening a file made of `header` and `data`, then reading every tensor.
std::string error_reading(const ScratchDir& dir, const std::string& header, const std::string& data) {
  write_bytes(dir / "bad.safetensors", raw_safetensors(header, data));
  return error_of([&] {
    const SafetensorsFile file(dir / "bad.safetensors");
    for (const std::string& name : file.names())
      file.tensor(name);
  });
}

TEST(SafetensorsErrors, NameTheFileTheTensorAndTheProblem) {
  ScratchDir dir;
  const std::string file = "safetensors file '" + (dir / "bad.safetensors").string() + "'";
  const std::string eight(8, '\0');

  std::string e =
      error_reading(dir, R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,16]}})", std::string(24, 0));
  EXPECT_CONTAINS(e, file + ": tensor 'w': data_offsets [0, 16] span 16 bytes but F32 [2, 3] needs 24 bytes");

  e = error_reading(dir, R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", eight);
  EXPECT_CONTAINS(e, file + ": tensor 'w': data_offsets [0, 16] reach past the end of the data buffer (8 bytes)");
  EXPECT_CONTAINS(e, "truncated");

  e = error_reading(dir, R"({"w":{"dtype":"F32","shape":[2,-1],"data_offsets":[0,0]}})", "");
  EXPECT_CONTAINS(e, file + ": tensor 'w': negative dimension -1 in 'shape'");

  e = error_reading(dir, R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", eight);
  EXPECT_CONTAINS(e, file + ": tensor 'w': data_offsets [4, 0] end before begin");

  e = error_reading(dir, R"({"w":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}})", eight);
  EXPECT_CONTAINS(e, file + ": tensor 'w': unsupported dtype 'F8_E4M3'");
  EXPECT_CONTAINS(e, "supported: F64, F32, F16, BF16");

  e = error_reading(dir, R"({"w":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}})", std::string("\x01\x02", 2));
  EXPECT_CONTAINS(e, file + ": tensor 'w': BOOL element 1 has byte value 2");
}

TEST(SafetensorsErrors, NameMissingAndIllTypedFields) {
  ScratchDir dir;
  const std::string w = "': tensor 'w': ";
  EXPECT_CONTAINS(error_reading(dir, R"({"w":{"shape":[],"data_offsets":[0,0]}})", ""), w + "missing field 'dtype'");
  EXPECT_CONTAINS(error_reading(dir, R"({"w":{"dtype":"U8","data_offsets":[0,0]}})", ""), w + "missing field 'shape'");
  EXPECT_CONTAINS(error_reading(dir, R"({"w":{"dtype":"U8","shape":[]}})", ""), w + "missing field 'data_offsets'");
  EXPECT_CONTAINS(error_reading(dir, R"({"w":{"dtype":5,"shape":[],"data_offsets":[0,1]}})", "x"),
                  w + "'dtype' must be a string, got number");
  EXPECT_CONTAINS(error_reading(dir, R"({"w":{"dtype":"U8","shape":"3","data_offsets":[0,3]}})", "xyz"),
                  w + "'shape' must be an array, got string");
  EXPECT_CONTAINS(error_reading(dir, R"({"w":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}})", "x"),
                  w + "'shape' must hold non-negative integers, got 1.5");
  EXPECT_CONTAINS(error_reading(dir, R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0]}})", "x"),
                  w + "'data_offsets' must be an array [begin, end], got [0]");
  EXPECT_CONTAINS(error_reading(dir, R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[-1,0]}})", "x"),
                  w + "'data_offsets' must hold non-negative integers");
  EXPECT_CONTAINS(error_reading(dir, R"({"w":[1,2]})", ""), w + "entry must be an object, got array");
  EXPECT_CONTAINS(error_reading(dir,
                                R"({"w":{"dtype":"U8","shape":[4294967296,4294967296,4294967296],)"
                                R"("data_offsets":[0,1]}})",
                                "x"),
                  w + "shape [4294967296, 4294967296, 4294967296] is too large");
  EXPECT_CONTAINS(error_reading(dir, R"({"__metadata__":{"format":1}})", ""),
                  "': '__metadata__' entry 'format' must be a string, got number");
  EXPECT_CONTAINS(error_reading(dir, R"({"__metadata__":[]})", ""), "': '__metadata__' must be an object");
}

TEST(SafetensorsErrors, NameTheFileForBrokenFraming) {
  ScratchDir dir;
  const std::string file = "safetensors file '" + (dir / "bad.safetensors").string() + "'";
  const auto error_of_bytes = [&](const std::string& bytes) {
    write_bytes(dir / "bad.safetensors", bytes);
    return error_of([&] { SafetensorsFile{dir / "bad.safetensors"}; });
  };
  EXPECT_CONTAINS(error_of_bytes("abc"), file + ": the file is 3 bytes, shorter than the 8-byte header length");
  EXPECT_CONTAINS(error_of_bytes(""), file + ": the file is 0 bytes");
  EXPECT_CONTAINS(error_of_bytes(std::string("\x40\0\0\0\0\0\0\0{}", 10)),
                  file + ": header length 64 is larger than the rest of the file (2 bytes)");
  EXPECT_CONTAINS(error_of_bytes(std::string("\0\0\0\x10\0\0\0\0{}", 10)),
                  file + ": header length 268435456 is absurd (more than 100 MB)");
  EXPECT_CONTAINS(error_of_bytes(std::string(8, '\xff') + "{}"),
                  file + ": header length 18446744073709551615 is absurd");
  EXPECT_CONTAINS(error_of_bytes(raw_safetensors(R"({"w":{"dtype")", "")), file + ": the header is not valid JSON");
  EXPECT_CONTAINS(error_of_bytes(raw_safetensors("[1,2]", "")), file + ": the header must be a JSON object, got array");
  EXPECT_CONTAINS(error_of([&] { SafetensorsFile{dir / "absent.safetensors"}; }),
                  "cannot open '" + (dir / "absent.safetensors").string() + "': No such file or directory");
  EXPECT_CONTAINS(error_of([&] { SafetensorsFile{dir.path()}; }), "not a regular file");
}

TEST(SafetensorsErrors, AbsentTensorIsNamed) {
  ScratchDir dir;
  save_safetensors(dir / "x.safetensors", {{"x", at::zeros({1})}});
  const SafetensorsFile file(dir / "x.safetensors");
  EXPECT_FALSE(file.contains("y"));
  EXPECT_EQ(error_of([&] { file.tensor("y"); }),
            "safetensors file '" + (dir / "x.safetensors").string() + "': tensor 'y': no such tensor in the file");
}

TEST(SafetensorsWriterErrors, NameThePathAndTheTensor) {
  ScratchDir dir;
  const std::string out = "cannot write '" + (dir / "x.safetensors").string() + "': tensor ";
  const auto error_saving = [&](const NamedTensors& tensors) {
    return error_of([&] { save_safetensors(dir / "x.safetensors", tensors); });
  };
  EXPECT_EQ(error_saving({{"a", at::zeros({1})}, {"a", at::ones({1})}}), out + "'a' appears twice");
  EXPECT_EQ(error_saving({{"u", at::Tensor()}}), out + "'u' is undefined");
  EXPECT_EQ(error_saving({{"s", at::eye(2).to_sparse()}}), out + "'s' is not dense (sparse or other layout)");
  EXPECT_CONTAINS(error_saving({{"c", at::zeros({1}, at::kComplexFloat)}}),
                  out + "'c': safetensors: cannot store tensors of type ComplexFloat");
  EXPECT_EQ(error_saving({{"__metadata__", at::zeros({1})}}), out + "'__metadata__': reserved name");
  EXPECT_FALSE(std::filesystem::exists(dir / "x.safetensors"));
  EXPECT_EQ(temporary_files_of(dir / "x.safetensors"), 0);

  EXPECT_CONTAINS(error_of([&] {
                    save_safetensors(dir / "no" / "such" / "x.safetensors", {{"a", at::zeros({1})}});
                  }),
                  "cannot write '" + (dir / "no" / "such" / "x.safetensors").string() + "'");
}

TEST(SafetensorsWriter, ReplacesAnExistingFileWhole) {
  ScratchDir dir;
  save_safetensors(dir / "x.safetensors", {{"old", at::zeros({100})}});
  save_safetensors(dir / "x.safetensors", {{"new", at::ones({2})}});
  const SafetensorsFile file(dir / "x.safetensors");
  EXPECT_EQ(file.names(), std::vector<std::string>{"new"});
  // {"new":{"data_offsets":[0,8],"dtype":"F32","shape":[2]}} is 56 bytes, then two floats.
  EXPECT_EQ(std::filesystem::file_size(dir / "x.safetensors"), 8 + 56 + 8u);
}

}  // namespace
}  // namespace spstudio::models
