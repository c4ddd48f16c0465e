// SPDX-License-Identifier: Apache-2.0
// The pieces under the pool: the private socket directory, the session token, the Hello checks,
// the failure sentences.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <QDir>
#include <QFileInfo>
#include <csignal>
#include <memory>

#include "app/session/failure_text.h"
#include "app/session/handshake.h"
#include "app/session/socket_dir.h"
#include "support/error_text.h"

namespace spstudio::app {
namespace {

TEST(SocketDir, IsPrivateToThisUserAndRemovedOnDestruction) {
  auto dir = std::make_unique<PrivateSocketDir>();
  const QString path = dir->path();
  struct stat st {};
  ASSERT_EQ(::stat(path.toLocal8Bit().constData(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_TRUE(is_owner_only_directory(path));
  EXPECT_TRUE(path.startsWith(QDir::tempPath()));
  EXPECT_EQ(QFileInfo(dir->socket_path()).absolutePath(), QFileInfo(path).absoluteFilePath());
  dir.reset();
  EXPECT_FALSE(QFileInfo::exists(path));
}

TEST(SocketDir, OwnerOnlyCheckRefusesOpenDirectories) {
  PrivateSocketDir dir;
  ASSERT_EQ(::chmod(dir.path().toLocal8Bit().constData(), 0755), 0);
  EXPECT_FALSE(is_owner_only_directory(dir.path()));
  EXPECT_FALSE(is_owner_only_directory(dir.path() + "/missing"));
}

TEST(SessionToken, Is128RandomBitsInHex) {
  const QString a = make_session_token(), b = make_session_token();
  EXPECT_EQ(a.size(), 32);
  EXPECT_NE(a, b);
  for (QChar c : a)
    EXPECT_TRUE(QString("0123456789abcdef").contains(c)) << a.toStdString();
}

TEST(SessionToken, ComparisonNeedsEveryCharacter) {
  EXPECT_TRUE(tokens_equal("0123abcd", "0123abcd"));
  EXPECT_FALSE(tokens_equal("0123abcd", "0123abce"));
  EXPECT_FALSE(tokens_equal("0123abcd", "1123abcd"));
  EXPECT_FALSE(tokens_equal("0123abcd", "0123abc"));
  EXPECT_FALSE(tokens_equal("", "x"));
  EXPECT_TRUE(tokens_equal("", ""));
}

TEST(CheckHello, AcceptsTheRightTokenAndAFreeRank) {
  wire::Hello hello{"secret", 1, 2, "cpu", 0, 1};
  EXPECT_FALSE(check_hello(hello, "secret", 2, {true, false}).has_value());
}

TEST(CheckHello, NamesWhatIsWrong) {
  const std::vector<bool> free(2, false);
  EXPECT_CONTAINS(check_hello({"guess", 0, 2, "cpu", 0, 1}, "secret", 2, free).value(), "wrong session token");
  EXPECT_CONTAINS(check_hello({"secret", 0, 4, "cpu", 0, 1}, "secret", 2, free).value(),
                  "the worker says world 4, this pool has 2 workers");
  EXPECT_CONTAINS(check_hello({"secret", 2, 2, "cpu", 0, 1}, "secret", 2, free).value(),
                  "rank 2 is out of range for a pool of 2 workers (ranks 0..1)");
  EXPECT_CONTAINS(check_hello({"secret", 1, 2, "cpu", 0, 1}, "secret", 2, {false, true}).value(),
                  "rank 1 is already connected");
}

TEST(CheckHello, TokenIsCheckedBeforeAnythingElseIsRevealed) {
  // A stranger learns nothing about the pool's world size or ranks.
  const auto reason = check_hello({"guess", 7, 9, "cpu", 0, 1}, "secret", 2, {false, false}).value();
  EXPECT_CONTAINS(reason, "token");
  EXPECT_EQ(reason.find("world"), std::string::npos) << reason;
}

TEST(SenderRank, OnlyWorkerMessagesNameASender) {
  EXPECT_EQ(sender_rank(wire::StepDone{1, 0, 3}).value(), 3u);
  EXPECT_EQ(sender_rank(wire::Heartbeat{2, 0}).value(), 2u);
  EXPECT_FALSE(sender_rank(wire::Job{}).has_value());
  EXPECT_FALSE(sender_rank(wire::Welcome{}).has_value());
  EXPECT_FALSE(sender_rank(wire::Hello{}).has_value());
}

TEST(HandshakeError, VersionMismatchNamesBothVersions) {
  const wire::ProtocolError error(wire::ProtocolError::Kind::VersionMismatch, "version 9", 9);
  const std::string text = describe_handshake_error(error);
  EXPECT_CONTAINS(text, "the worker speaks version 9");
  EXPECT_CONTAINS(text, "this supervisor speaks version " + std::to_string(wire::kProtocolVersion));
}

TEST(FailureText, NamesRankPidAndHowTheProcessEnded) {
  EXPECT_EQ(describe_process_end(1, 4242, -1, SIGKILL).toStdString(),
            "rank 1 (pid 4242) was killed by signal 9 (SIGKILL)");
  EXPECT_EQ(describe_process_end(0, 17, 5, 0).toStdString(),
            std::string("rank 0 (pid 17) exited with code 5 (") +
                wire::describe_exit_code(static_cast<int>(wire::ExitCode::PlanInvalid)) + ")");
  EXPECT_CONTAINS(describe_process_end(3, 0, 0, 0).toStdString(), "rank 3 exited (code 0)");
  EXPECT_EQ(signal_name(SIGSEGV).toStdString(), "SIGSEGV");
  EXPECT_EQ(signal_name(200).toStdString(), "signal 200");
}

TEST(FailureText, DetailsFollowTheHeadlineOnTheirOwnLines) {
  const QString text = with_details("rank 1 (pid 2) exited", "no such model", {"loading", "boom"});
  EXPECT_EQ(text.toStdString(),
            "rank 1 (pid 2) exited\nits last error: no such model\nits last output:\n  loading\n  boom");
  EXPECT_EQ(with_details("headline", "", {}).toStdString(), "headline");
}

}  // namespace
}  // namespace spstudio::app
