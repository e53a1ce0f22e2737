#pragma once
// Raw little-endian files of the gemv command: W.q4k (n rows of k/256 Q4_K blocks), x.f32 and
// y.f32. Errors name the file and what was expected.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "reference/q4k_matrix.h"

namespace qgemv {

struct InputFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Checks the file holds exactly n*(k/256) blocks.
Q4KMatrix read_q4k_file(const std::string& path, int64_t n, int64_t k);

// Checks the file holds exactly `count` floats.
std::vector<float> read_f32_file(const std::string& path, int64_t count);

// Writes through a temporary file and a rename.
void write_f32_file(const std::string& path, const std::vector<float>& values);

}  // namespace qgemv
