// SPDX-License-Identifier: Apache-2.0
// The device-free helpers of the NCCL communicator: element types, result text and all-to-all
// offsets. Expected values are written out by hand (NCCL's and ATen's type sizes, block offsets).
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "sp/cuda/nccl_types.h"

namespace spstudio::sp::cuda {
namespace {

std::string invalid_argument_text(at::ScalarType type, const std::string& what) {
  try {
    nccl_type(type, what);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(NcclTypes, MapEveryCarriedTypeToAnNcclTypeOfTheSameSize) {
  struct Case {
    at::ScalarType type;
    ncclDataType_t nccl;
    std::size_t bytes;  // NCCL's element size for `nccl`, from its documentation
  };
  const std::vector<Case> cases{
      {at::kFloat, ncclFloat32, 4},     {at::kDouble, ncclFloat64, 8}, {at::kHalf, ncclFloat16, 2},
      {at::kBFloat16, ncclBfloat16, 2}, {at::kInt, ncclInt32, 4},      {at::kLong, ncclInt64, 8},
      {at::kChar, ncclInt8, 1},         {at::kByte, ncclUint8, 1},     {at::kBool, ncclUint8, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c10::toString(c.type));
    EXPECT_EQ(nccl_type(c.type, "test"), c.nccl);
    // A size mismatch would make NCCL move the wrong number of bytes.
    EXPECT_EQ(at::elementSize(c.type), c.bytes);
  }
}

TEST(NcclTypes, RefuseTypesNcclCannotCarryNamingTheTypeAndTheOperation) {
  for (const at::ScalarType type : {at::kComplexFloat, at::kComplexDouble, at::kQInt8, at::kShort}) {
    const std::string text = invalid_argument_text(type, "SP group {0,1}: all_to_all");
    SCOPED_TRACE(text);
    EXPECT_NE(text.find(c10::toString(type)), std::string::npos);
    EXPECT_NE(text.find("SP group {0,1}: all_to_all"), std::string::npos);
    EXPECT_NE(text.find("NCCL cannot carry"), std::string::npos);
  }
}

TEST(NcclResultText, StartsWithTheResultNameAndNcclsDescription) {
  const std::vector<std::pair<ncclResult_t, std::string>> names{
      {ncclSuccess, "ncclSuccess: "},
      {ncclUnhandledCudaError, "ncclUnhandledCudaError: "},
      {ncclSystemError, "ncclSystemError: "},
      {ncclInternalError, "ncclInternalError: "},
      {ncclInvalidArgument, "ncclInvalidArgument: "},
      {ncclInvalidUsage, "ncclInvalidUsage: "},
      {ncclRemoteError, "ncclRemoteError: "},
      {ncclInProgress, "ncclInProgress: "},
  };
  for (const auto& [result, prefix] : names) {
    const std::string text = nccl_result_text(result);
    EXPECT_EQ(text.rfind(prefix, 0), 0u) << text;
  }
  EXPECT_NE(nccl_result_text(ncclInvalidArgument).find("invalid argument"), std::string::npos);
  EXPECT_NE(nccl_result_text(ncclRemoteError).find("remote process exited"), std::string::npos);
  // A code this build does not know still gets a readable name.
  EXPECT_EQ(nccl_result_text(static_cast<ncclResult_t>(42)).rfind("ncclResult 42: ", 0), 0u);
}

TEST(NcclResultText, IncludesNcclsLastWarning) {
  // A null communicator is refused before NCCL touches a device, with a WARN naming the argument.
  ncclResult_t state = ncclSuccess;
  const ncclResult_t result = ncclCommGetAsyncError(nullptr, &state);
  ASSERT_EQ(result, ncclInvalidArgument);
  const std::string text = nccl_result_text(result);
  EXPECT_NE(text.find("last NCCL error: "), std::string::npos) << text;
  EXPECT_NE(text.find("argument is NULL"), std::string::npos) << text;
}

TEST(SplitOffsets, EqualBlocksWhenNoSplitsAreGiven) {
  EXPECT_EQ(split_offsets({}, 12, 4), (std::vector<std::int64_t>{0, 3, 6, 9, 12}));
  EXPECT_EQ(split_offsets({}, 5, 1), (std::vector<std::int64_t>{0, 5}));
  EXPECT_EQ(split_offsets({}, 0, 3), (std::vector<std::int64_t>{0, 0, 0, 0}));
}

TEST(SplitOffsets, RunningSumsOfExplicitSplits) {
  EXPECT_EQ(split_offsets({1, 2, 3}, 6, 3), (std::vector<std::int64_t>{0, 1, 3, 6}));
  EXPECT_EQ(split_offsets({0, 5, 0, 2}, 7, 4), (std::vector<std::int64_t>{0, 0, 5, 5, 7}));
}

TEST(SplitOffsets, RefuseWhatCannotBeSplit) {
  EXPECT_THROW(split_offsets({}, 10, 4), std::invalid_argument);      // 10 rows into 4 equal blocks
  EXPECT_THROW(split_offsets({1, 2}, 3, 3), std::invalid_argument);   // two splits for three ranks
  EXPECT_THROW(split_offsets({3, -1}, 2, 2), std::invalid_argument);  // negative split
  EXPECT_THROW(split_offsets({}, 4, 0), std::invalid_argument);       // no ranks
}

}  // namespace
}  // namespace spstudio::sp::cuda
