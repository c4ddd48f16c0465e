// SPDX-License-Identifier: Apache-2.0
// GoogleTest with a QCoreApplication: the supervisor needs Qt's event dispatcher (sockets, timers,
// QProcess). Tests drive it with wait_for() (pool_test_support.h), never with a nested exec().
#include <gtest/gtest.h>

#include <QCoreApplication>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  QCoreApplication app(argc, argv);
  return RUN_ALL_TESTS();
}
