// The lock that keeps a second process from running kernels that may fault on a GPU beside the
// first (harness/verify/gpu_exclusive.h): flock(2) conflicts between open file descriptions,
// so two acquisitions in one process stand for two processes, and a child process checks that
// a waiter gets the lock when the holder exits.
#include "harness/verify/gpu_exclusive.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace qgemv {
namespace {

namespace fs = std::filesystem;

struct GpuExclusiveTest : ::testing::Test {
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("qgemv-lock-test-" + std::to_string(getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  fs::path dir;
};

TEST_F(GpuExclusiveTest, ASecondHolderIsRefusedUntilTheFirstEnds) {
  std::ostringstream note;
  std::optional<GpuExclusive> first = GpuExclusive::acquire("0000:00:06.0", dir, false, note);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(note.str(), "");
  // The holder's pid is in the file, for the message a waiter prints.
  std::ifstream in(first->path());
  std::string pid;
  in >> pid;
  EXPECT_EQ(pid, std::to_string(getpid()));

  EXPECT_FALSE(GpuExclusive::acquire("0000:00:06.0", dir, false, note).has_value());
  EXPECT_NE(note.str().find("another process (pid " + std::to_string(getpid()) + ")"),
            std::string::npos)
      << note.str();
  EXPECT_NE(note.str().find("0000:00:06.0"), std::string::npos) << note.str();

  // Another GPU's lock is another file.
  EXPECT_TRUE(GpuExclusive::acquire("0000:00:07.0", dir, false, note).has_value());

  first.reset();
  EXPECT_TRUE(GpuExclusive::acquire("0000:00:06.0", dir, false, note).has_value());
}

TEST_F(GpuExclusiveTest, TheFileNameHoldsNoPathSeparator) {
  std::ostringstream note;
  const auto lock = GpuExclusive::acquire("../a/b:c", dir, false, note);
  ASSERT_TRUE(lock.has_value());
  EXPECT_EQ(fs::path(lock->path()).parent_path(), dir);
  EXPECT_EQ(fs::path(lock->path()).filename().string(), "qgemv-gpu-exclusive-.._a_b_c.lock");
}

TEST_F(GpuExclusiveTest, AWaiterGetsTheLockWhenTheHolderProcessExits) {
  int ready[2], release[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(release), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::ostringstream note;
    auto lock = GpuExclusive::acquire("bus", dir, false, note);
    const char c = lock ? '1' : '0';
    (void)!write(ready[1], &c, 1);
    char go = 0;
    (void)!read(release[0], &go, 1);  // held until the parent says so
    _exit(0);  // no destructor: the kernel releases the lock as the process ends
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, '1');
  std::ostringstream note;
  std::atomic<bool> taken{false};
  std::thread waiter([&] { taken = GpuExclusive::acquire("bus", dir, true, note).has_value(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(taken) << "took the lock while the child held it";
  (void)!write(release[1], "x", 1);
  waiter.join();
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(taken);
  EXPECT_NE(note.str().find("waiting for it to end"), std::string::npos) << note.str();
  EXPECT_NE(note.str().find("pid " + std::to_string(child)), std::string::npos) << note.str();
  for (int fd : {ready[0], ready[1], release[0], release[1]}) close(fd);
}

// The holder's children inherit the lock: a verify worker stuck in the driver keeps the GPU
// locked after the process that started it has gone.
TEST_F(GpuExclusiveTest, TheHoldersChildrenKeepItHeld) {
  std::ostringstream note;
  std::optional<GpuExclusive> lock = GpuExclusive::acquire("bus", dir, false, note);
  ASSERT_TRUE(lock.has_value());
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    execl("/bin/sleep", "sleep", "2", static_cast<char*>(nullptr));
    _exit(127);
  }
  lock.reset();  // the parent lets go; the sleeping child still holds the descriptor
  EXPECT_FALSE(GpuExclusive::acquire("bus", dir, false, note).has_value());
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(GpuExclusive::acquire("bus", dir, false, note).has_value());
}

TEST_F(GpuExclusiveTest, ARelativeLockDirectoryIsRefused) {
  const char* old = std::getenv("QGEMV_LOCK_DIR");
  const std::string saved = old ? old : "";
  setenv("QGEMV_LOCK_DIR", "relative/dir", 1);
  EXPECT_THROW(gpu_lock_dir(), std::runtime_error);
  setenv("QGEMV_LOCK_DIR", "/abs/dir", 1);
  EXPECT_EQ(gpu_lock_dir(), "/abs/dir");
  unsetenv("QGEMV_LOCK_DIR");
  EXPECT_EQ(gpu_lock_dir(), "/tmp");
  if (old) setenv("QGEMV_LOCK_DIR", saved.c_str(), 1);
}

TEST_F(GpuExclusiveTest, AnUnusableDirectoryIsAnError) {
  std::ostringstream note;
  EXPECT_THROW(GpuExclusive::acquire("bus", "/proc/qgemv-no-such-dir", false, note),
               std::runtime_error);
}

}  // namespace
}  // namespace qgemv
