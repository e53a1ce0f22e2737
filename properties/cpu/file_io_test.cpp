// Writing output files (write then rename, through links and devices, errors with errno's
// reason, nothing left half-written, the output rule of harness/io/output_file.h) and reading
// raw input files (sizes checked before any allocation, directories named).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <set>
#include <sstream>
#include <vector>

#include "harness/io/atomic_write.h"
#include "harness/io/output_file.h"
#include "harness/io/raw_files.h"

namespace qgemv {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed at the end.
class FileIo : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("qgemv-io-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string at(const std::string& name) const { return (dir_ / name).string(); }
  // The names in the test's directory: what a write left behind, temporaries included.
  std::set<std::string> names() const {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.insert(e.path().filename().string());
    return out;
  }
  fs::path dir_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const std::string& path, const std::string& text) {
  write_file_atomically(path, std::ios::binary, [&](std::ostream& os) { os << text; });
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

TEST_F(FileIo, SymlinkIsWrittenThroughAndKept) {
  write_text(at("target.f32"), "old");
  fs::create_symlink("target.f32", at("link.f32"));
  write_text(at("link.f32"), "new");
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(at("link.f32"))));
  EXPECT_EQ(fs::read_symlink(at("link.f32")), "target.f32");
  EXPECT_EQ(slurp(at("target.f32")), "new");
  EXPECT_EQ(names(), (std::set<std::string>{"link.f32", "target.f32"}));
  // A dangling link gets its target created.
  fs::create_symlink("later.f32", at("dangling.f32"));
  write_text(at("dangling.f32"), "made");
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(at("dangling.f32"))));
  EXPECT_EQ(slurp(at("later.f32")), "made");
}

TEST_F(FileIo, FifoIsWrittenInPlace) {
  ASSERT_EQ(::mkfifo(at("pipe").c_str(), 0600), 0) << std::strerror(errno);
  auto reader = std::async(std::launch::async, [&] { return slurp(at("pipe")); });
  write_text(at("pipe"), "through the pipe");
  EXPECT_EQ(reader.get(), "through the pipe");
  EXPECT_TRUE(fs::is_fifo(at("pipe")));
  EXPECT_EQ(names(), std::set<std::string>{"pipe"});
}

TEST_F(FileIo, CharacterDeviceIsWrittenInPlaceNotReplaced) {
  // A null device node of our own in the test's directory, so that a regression replaces
  // that node and never /dev/null.
  if (::mknod(at("null").c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0)
    GTEST_SKIP() << "cannot make a device node here: " << std::strerror(errno);
  write_text(at("null"), "discarded");
  EXPECT_TRUE(fs::is_character_file(at("null")));
  EXPECT_EQ(names(), std::set<std::string>{"null"});
}

TEST_F(FileIo, FullDeviceNamesTheReason) {
  if (!fs::is_character_file("/dev/full")) GTEST_SKIP() << "no /dev/full";
  const std::string e = error_of([] { write_text("/dev/full", std::string(1 << 16, 'x')); });
  EXPECT_NE(e.find("/dev/full: write failed: No space left on device"), std::string::npos) << e;
  EXPECT_TRUE(fs::is_character_file("/dev/full"));
}

TEST_F(FileIo, FailedWriteKeepsTheOldFileAndLeavesNoTemporary) {
  write_text(at("y.f32"), "old");
  // A file size limit makes write(2) fail with EFBIG, as a full disk fails with ENOSPC.
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  rlimit small = saved;
  small.rlim_cur = 4096;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  const std::string e = error_of([&] { write_f32_file(at("y.f32"), std::vector<float>(1 << 20)); });
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
  EXPECT_NE(e.find("y.f32: write failed: File too large"), std::string::npos) << e;
  EXPECT_EQ(slurp(at("y.f32")), "old");
  EXPECT_EQ(names(), std::set<std::string>{"y.f32"});
}

TEST_F(FileIo, UnwritableTargetsAreRefusedWithTheReason) {
  fs::create_directories(at("out"));
  std::string e = error_of([&] { write_text(at("out"), "x"); });
  EXPECT_NE(e.find("out: is a directory, not a file"), std::string::npos) << e;
  e = error_of([] { write_text("", "x"); });
  EXPECT_NE(e.find("empty file name"), std::string::npos) << e;
  e = error_of([&] { write_text(at("missing/y.f32"), "x"); });
  EXPECT_NE(e.find("no such directory " + at("missing")), std::string::npos) << e;
  EXPECT_EQ(names(), std::set<std::string>{"out"});
  // A callback that throws leaves nothing behind.
  EXPECT_THROW(write_file_atomically(at("z"), std::ios::binary,
                                     [](std::ostream&) { throw std::runtime_error("stop"); }),
               std::runtime_error);
  EXPECT_EQ(names(), std::set<std::string>{"out"});
}

// Two runs writing one name at once: each writes its own temporary, so neither cuts into the
// other's file nor loses its rename; the last rename wins, whole.
TEST_F(FileIo, TwoWritersOfOneNameEachWriteTheirOwnTemporary) {
  write_file_atomically(at("r.csv"), std::ios::out, [&](std::ostream& first) {
    first << "first half, ";
    write_text(at("r.csv"), "the other writer's file");
    first << "second half";
  });
  EXPECT_EQ(slurp(at("r.csv")), "first half, second half");
  EXPECT_EQ(names(), std::set<std::string>{"r.csv"});
}

TEST_F(FileIo, AReplacedFileKeepsItsPermissions) {
  write_text(at("shared.csv"), "old");
  ASSERT_EQ(::chmod(at("shared.csv").c_str(), 0640), 0);
  write_text(at("shared.csv"), "new");
  struct stat st {};
  ASSERT_EQ(::stat(at("shared.csv").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(slurp(at("shared.csv")), "new");
}

TEST_F(FileIo, OutputThatIsAnInputIsRefusedByIdentity) {
  write_text(at("a.csv"), "a");
  fs::create_symlink("a.csv", at("link.csv"));
  fs::create_hard_link(at("a.csv"), at("hard.csv"));
  const std::string relative = (fs::relative(dir_) / "." / "a.csv").string();
  for (const std::string& out : {at("a.csv"), at("link.csv"), at("hard.csv"), relative}) {
    const std::string e = error_of([&] {
      check_output_file(out, {at("b.csv"), at("a.csv")}, "--out");
    });
    EXPECT_NE(e.find("--out " + out + " is the input " + at("a.csv")), std::string::npos) << e;
  }
  // Not yet there: the same path, however spelled, is still the same file.
  fs::create_directories(dir_ / "sub");
  EXPECT_TRUE(same_file(at("new.csv"), (dir_ / "sub" / ".." / "new.csv").string()));
  EXPECT_FALSE(same_file(at("new.csv"), at("other.csv")));
  EXPECT_NO_THROW(check_output_file(at("b.csv"), {at("a.csv")}, "--out"));
  EXPECT_NO_THROW(check_output_file(at("a.csv"), {at("b.csv")}, "--out"));
  EXPECT_THROW(check_output_files({{"--out", at("x.csv")}, {"--junit", at("x.csv")}}),
               OutputFileError);
  EXPECT_NO_THROW(check_output_files({{"--out", at("x.csv")}, {"--junit", at("y.xml")}}));
}

// The output rule refuses what cp refuses: an existing file the user may not write. rename()
// needs only the folder's permission, so without the check another user's read-only file
// would be replaced. Run as an unprivileged user, since root may write any file.
TEST_F(FileIo, AFileTheUserMayNotWriteIsRefused) {
  write_text(at("theirs.csv"), "theirs");
  write_text(at("open.csv"), "open");
  ASSERT_EQ(::chmod(at("theirs.csv").c_str(), 0444), 0);
  ASSERT_EQ(::chmod(at("open.csv").c_str(), 0666), 0);
  ASSERT_EQ(::chmod(dir_.c_str(), 0777), 0);
  const auto as_user = [&](const std::string& path) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) std::_Exit(3);
    try {
      check_output_file(path);
    } catch (const OutputFileError& e) {
      std::fprintf(stderr, "%s", e.what());
      std::_Exit(1);
    }
    std::_Exit(0);
  };
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(as_user(at("theirs.csv")), ::testing::ExitedWithCode(1),
              "theirs.csv: not writable .Permission denied.");
  EXPECT_EXIT(as_user(at("open.csv")), ::testing::ExitedWithCode(0), "");
  EXPECT_EXIT(as_user(at("new.csv")), ::testing::ExitedWithCode(0), "");
}

TEST_F(FileIo, ShapesTooLargeForAnyFileNameTheFileAndTheLimit) {
  write_text(at("w.q4k"), std::string(144, '\0'));
  for (const auto& [n, k] : {std::pair<int64_t, int64_t>{7905747460161236407, 1792},
                             std::pair<int64_t, int64_t>{1152921504606846976, 256}}) {
    const std::string e = error_of([&] { read_q4k_file(at("w.q4k"), n, k); });
    EXPECT_NE(e.find(at("w.q4k") + ": n=" + std::to_string(n)), std::string::npos) << e;
    EXPECT_NE(e.find("more than the limit of"), std::string::npos) << e;
    EXPECT_NE(e.find("the file holds 144 bytes"), std::string::npos) << e;
  }
  // A shape that fits but is not the file's is still told apart by its byte count.
  const std::string e = error_of([&] { read_q4k_file(at("w.q4k"), int64_t(1) << 40, 256); });
  EXPECT_NE(e.find("holds 144 bytes, but n=1099511627776 k=256 needs 158329674399744"),
            std::string::npos)
      << e;
  EXPECT_EQ(read_q4k_file(at("w.q4k"), 1, 256).blocks.size(), 1u);
}

// A pipe or device has no size to check first: the read stops just past the size the shape
// needs, so that /dev/zero given as an input is refused, not read until memory runs out.
TEST_F(FileIo, EndlessInputsAreReadOnlyPastTheExpectedSize) {
  ASSERT_EQ(::mkfifo(at("endless").c_str(), 0600), 0) << std::strerror(errno);
  const auto old = std::signal(SIGPIPE, SIG_IGN);  // the writer sees EPIPE once the reader stops
  auto writer = std::async(std::launch::async, [&] {
    const int fd = ::open(at("endless").c_str(), O_WRONLY);
    const std::vector<char> chunk(1 << 16, 0);
    size_t written = 0;
    for (ssize_t got;
         written < (size_t(64) << 20) && (got = ::write(fd, chunk.data(), chunk.size())) > 0;)
      written += size_t(got);
    ::close(fd);
    return written;
  });
  const std::string e = error_of([&] { read_f32_file(at("endless"), 256); });
  const size_t written = writer.get();
  std::signal(SIGPIPE, old);
  EXPECT_NE(e.find("endless: holds more than 1024 bytes, expected 256 f32 values"),
            std::string::npos)
      << e;
  EXPECT_LT(written, size_t(64) << 20) << "the reader took all the writer wrote";
  if (fs::is_character_file("/dev/zero")) {
    const std::string w = error_of([&] { read_q4k_file("/dev/zero", 1, 256); });
    EXPECT_NE(w.find("/dev/zero: holds more than 144 bytes, but n=1 k=256 needs 144"),
              std::string::npos)
        << w;
  }
}

TEST_F(FileIo, DirectoriesGivenAsInputsAreNamed) {
  fs::create_directories(at("x.f32"));
  const std::string e = error_of([&] { read_f32_file(at("x.f32"), 256); });
  EXPECT_NE(e.find(at("x.f32") + ": cannot read: Is a directory"), std::string::npos) << e;
  const std::string w = error_of([&] { read_q4k_file(at("x.f32"), 1, 256); });
  EXPECT_NE(w.find(at("x.f32") + ": cannot read: Is a directory"), std::string::npos) << w;
}

}  // namespace
}  // namespace qgemv
