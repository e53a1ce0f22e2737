#pragma once
// Reads a whole file with C stdio, so that each failure has an errno to name: a directory
// opens and fails on the first read (EISDIR), which iostreams report without the file's name.
// Header-only: the results library (and its fuzz target) link nothing else of harness/io.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace qgemv {

inline std::string read_whole_file(const std::string& path) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"),
                                                          &std::fclose);
  if (!f) throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));
  std::string text;
  char buf[1 << 16];
  for (;;) {
    const size_t got = std::fread(buf, 1, sizeof buf, f.get());
    text.append(buf, got);
    if (got < sizeof buf) break;
  }
  if (std::ferror(f.get()))
    throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
  return text;
}

}  // namespace qgemv
