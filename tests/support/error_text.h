// SPDX-License-Identifier: Apache-2.0
// Asserting on error messages: users read them, so tests check their words.
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <functional>
#include <string>

namespace spstudio::testing {

/// The what() of the exception `fn` throws, or "(no error)".
inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace spstudio::testing

/// Passes when `text` contains `part`; shows the whole text when it does not.
#define EXPECT_CONTAINS(text, part)                          \
  do {                                                       \
    const std::string text_ = (text);                        \
    EXPECT_NE(text_.find(part), std::string::npos) << text_; \
  } while (0)
