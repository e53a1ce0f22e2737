#pragma once
// A read-only memory map of a whole file; GGUF models are read in place, never copied whole.
#include <cstdint>
#include <span>
#include <string>

namespace qgemv::gguf {

class MappedFile {
 public:
  // Throws InputFileError naming the file when it cannot be opened or mapped.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace qgemv::gguf
