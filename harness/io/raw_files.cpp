#include "harness/io/raw_files.h"

#include <cstring>
#include <filesystem>
#include <optional>

#include "harness/io/atomic_write.h"
#include "harness/io/read_whole_file.h"

static_assert(std::endian::native == std::endian::little, "raw files are little-endian");

namespace qgemv {
namespace {

// A regular file's size without reading it, so that a file of the wrong size is refused
// before a byte is held; nullopt for pipes and devices, whose size shows only when read.
std::optional<uint64_t> size_on_disk(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return std::nullopt;
  return size;
}

// Exactly `expect` bytes of the file, else an error saying what it holds, then `needs` (", but
// n=.. k=.. needs ..." or ", expected ..."). A size on disk is checked before a byte is read.
std::string read_exact(const std::string& path, uint64_t expect, const std::string& needs) {
  // `held` past `expect` comes from a read that stopped there, unless the file's size said it.
  const auto mismatch = [&](uint64_t held, bool whole) {
    return InputFileError(
        path + ": holds " +
        (whole || held <= expect ? std::to_string(held) : "more than " + std::to_string(expect)) +
        " bytes" + needs);
  };
  if (const auto held = size_on_disk(path); held && *held != expect) throw mismatch(*held, true);
  std::string bytes;
  try {
    bytes = read_whole_file(path, expect);
  } catch (const std::runtime_error& e) {
    throw InputFileError(e.what());
  }
  if (bytes.size() != expect) throw mismatch(bytes.size(), false);
  return bytes;
}

}  // namespace

Q4KMatrix read_q4k_file(const std::string& path, int64_t n, int64_t k) {
  check_shape(n, k);
  const std::string shape = "n=" + std::to_string(n) + " k=" + std::to_string(k);
  uint64_t blocks = 0, expect = 0;
  // No file can hold 2^64 bytes, so a shape whose size overflows matches none.
  if (__builtin_mul_overflow(uint64_t(n), uint64_t(k / kQK), &blocks) ||
      __builtin_mul_overflow(blocks, uint64_t(sizeof(BlockQ4K)), &expect) ||
      blocks > std::vector<BlockQ4K>().max_size()) {
    const auto held = size_on_disk(path);
    throw InputFileError(path + ": " + shape + " needs n * k/256 blocks of 144 bytes, " +
                         "more than the limit of " +
                         std::to_string(std::vector<BlockQ4K>().max_size()) + " blocks" +
                         (held ? "; the file holds " + std::to_string(*held) + " bytes" : ""));
  }
  const std::string bytes = read_exact(
      path, expect,
      ", but " + shape + " needs " + std::to_string(expect) + " (n * k/256 blocks of 144 bytes)");
  Q4KMatrix m{n, k, std::vector<BlockQ4K>(size_t(blocks))};
  std::memcpy(m.blocks.data(), bytes.data(), bytes.size());
  return m;
}

std::vector<float> read_f32_file(const std::string& path, int64_t count) {
  const uint64_t expect = uint64_t(count) * sizeof(float);
  const std::string bytes = read_exact(
      path, expect,
      ", expected " + std::to_string(count) + " f32 values (" + std::to_string(expect) + " bytes)");
  std::vector<float> v(static_cast<size_t>(count));
  std::memcpy(v.data(), bytes.data(), bytes.size());
  return v;
}

void write_f32_file(const std::string& path, const std::vector<float>& values) {
  write_file_atomically(path, std::ios::binary, [&](std::ostream& out) {
    out.write(reinterpret_cast<const char*>(values.data()), std::streamsize(values.size() * 4));
  });
}

}  // namespace qgemv
