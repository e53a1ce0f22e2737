#pragma once
// Reads a whole file with C stdio, so that each failure has an errno to name: a directory
// opens and fails on the first read (EISDIR), which iostreams report without the file's name.
// Header-only: the results library (and its fuzz target) link nothing else of harness/io.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace qgemv {

// Reads at most `limit` + 1 bytes, so that a caller who knows the size it expects is not held
// reading an endless device (/dev/zero) until memory runs out; more than `limit` is then plain.
inline std::string read_whole_file(const std::string& path,
                                   size_t limit = std::string().max_size() - 1) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"),
                                                          &std::fclose);
  if (!f) throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));
  std::string text;
  char buf[1 << 16];
  for (;;) {
    const size_t want = std::min(sizeof buf, limit + 1 - text.size());
    const size_t got = std::fread(buf, 1, want, f.get());
    text.append(buf, got);
    if (got < want || text.size() > limit) break;
  }
  if (std::ferror(f.get()))
    throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
  return text;
}

}  // namespace qgemv
