#pragma once
#include <Eigen/Core>
#include <span>

#include "kernels/formats/blocks.h"
#include "reference/q4k_matrix.h"

namespace qgemv {

// Weight i of a block, (d*sc)*q - (dmin*m), exactly (every factor fits a double's mantissa).
double q4k_weight(const BlockQ4K& b, int i);

// Dequantizes one row of blocks into 256 * blocks.size() doubles.
Eigen::VectorXd q4k_dequantize_row(std::span<const BlockQ4K> blocks);

// The two parts of each weight, |d*sc*q| and |dmin*m|, summed against |x|: the unit in which
// the error model states its bounds (see reference/ERROR_MODEL.md).
Eigen::VectorXd q4k_magnitude_row(std::span<const BlockQ4K> blocks);

}  // namespace qgemv
