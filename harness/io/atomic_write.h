#pragma once
// Writes a file through a temporary and a rename, so that a failed or interrupted run never
// leaves half a file under the real name. Errors throw std::runtime_error naming the file.
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace qgemv {

template <typename Write>
void write_file_atomically(const std::string& path, std::ios::openmode mode, Write&& write) {
  const std::string tmp = path + ".partial";
  {
    std::ofstream os(tmp, mode);
    if (!os) throw std::runtime_error(path + ": cannot open " + tmp + " for writing");
    write(os);
    if (!os.flush()) throw std::runtime_error(path + ": write failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw std::runtime_error(path + ": cannot rename from " + tmp + ": " + ec.message());
}

}  // namespace qgemv
