// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <stdexcept>

#include "common/parallel_config.h"

namespace spstudio {
namespace {

using Group = std::vector<int>;

TEST(ParallelConfig, HybridLayoutMatchesTheSpec) {
  const ParallelConfig c{2, 2};
  EXPECT_EQ(ulysses_groups(c), (std::vector<Group>{{0, 1}, {2, 3}}));
  EXPECT_EQ(ring_groups(c), (std::vector<Group>{{0, 2}, {1, 3}}));
  const SpRankLayout r3 = sp_rank_layout(c, 3);
  EXPECT_EQ(r3.ulysses_rank, 1);
  EXPECT_EQ(r3.ring_rank, 1);
  EXPECT_EQ(r3.ulysses_group, (Group{2, 3}));
  EXPECT_EQ(r3.ring_group, (Group{1, 3}));
}

TEST(ParallelConfig, PureDegrees) {
  EXPECT_EQ(ulysses_groups({4, 1}), (std::vector<Group>{{0, 1, 2, 3}}));
  EXPECT_EQ(ring_groups({4, 1}), (std::vector<Group>{{0}, {1}, {2}, {3}}));
  EXPECT_EQ(ring_groups({1, 4}), (std::vector<Group>{{0, 1, 2, 3}}));
  EXPECT_EQ(sp_rank_layout({1, 4}, 2).ring_rank, 2);
  EXPECT_EQ(sp_rank_layout({2, 4}, 5).ulysses_group, (Group{4, 5}));
  EXPECT_EQ(sp_rank_layout({2, 4}, 5).ring_group, (Group{1, 3, 5, 7}));
}

TEST(ParallelConfig, ErrorsSayWhatWouldWork) {
  EXPECT_EQ(check_parallel_config({2, 2}, 4), "");
  EXPECT_NE(check_parallel_config({0, 2}, 2).find("at least 1"), std::string::npos);
  const std::string wrong = check_parallel_config({2, 2}, 6);
  EXPECT_NE(wrong.find("= 4 must equal the 6 worker"), std::string::npos) << wrong;
  EXPECT_NE(wrong.find("{1, 2, 3, 6}"), std::string::npos) << wrong;
  EXPECT_THROW(validate_parallel_config({2, 1}, 2, 2), std::invalid_argument);
  try {
    validate_parallel_config({2, 1}, 2, -1);
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "rank -1 is outside the world of 2 process(es) (valid: 0..1)");
  }
  EXPECT_EQ(divisors_text(30, 64), "1, 2, 3, 5, 6, 10, 15, 30");
  EXPECT_EQ(divisors_text(257, 16), "1");
}

}  // namespace
}  // namespace spstudio
