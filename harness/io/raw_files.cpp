#include "harness/io/raw_files.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include "harness/io/atomic_write.h"

static_assert(std::endian::native == std::endian::little, "raw files are little-endian");

namespace qgemv {

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputFileError(path + ": cannot open: " + std::strerror(errno));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Q4KMatrix read_q4k_file(const std::string& path, int64_t n, int64_t k) {
  check_shape(n, k);
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  const uint64_t expect = uint64_t(n) * uint64_t(k / kQK) * sizeof(BlockQ4K);
  if (bytes.size() != expect)
    throw InputFileError(path + ": holds " + std::to_string(bytes.size()) +
                         " bytes, but n=" + std::to_string(n) + " k=" + std::to_string(k) +
                         " needs " + std::to_string(expect) + " (n * k/256 blocks of 144 bytes)");
  Q4KMatrix m{n, k, std::vector<BlockQ4K>(size_t(n * (k / kQK)))};
  std::memcpy(m.blocks.data(), bytes.data(), bytes.size());
  return m;
}

std::vector<float> read_f32_file(const std::string& path, int64_t count) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  if (bytes.size() != uint64_t(count) * sizeof(float))
    throw InputFileError(path + ": holds " + std::to_string(bytes.size()) + " bytes, expected " +
                         std::to_string(count) + " f32 values (" + std::to_string(count * 4) +
                         " bytes)");
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
