#pragma once
// Sampling tokens and turning them into medians, result rows and breakdown inputs; shared by
// `qgemv bench` (token suite) and `qgemv explain`.
#include <vector>

#include "harness/bench/bench_context.h"
#include "harness/bench/token_breakdown.h"
#include "harness/bench/token_model.h"

namespace qgemv {

struct TokenSamples {
  TokenMode mode = TokenMode::kWorkspace;
  std::vector<TokenSample> samples;
};

// `warmup` untimed tokens, then `repetitions` measured ones.
TokenSamples sample_tokens(TokenModel& model, Path p, TokenMode m, int warmup, int repetitions);

ModeCost median_cost(const TokenSamples& t);

// Medians over `passes` (after one warm-up) of TokenModel's back-to-back and per-group times.
double median_back_to_back_us(TokenModel& model, Path p, int passes);
std::vector<KernelGroupTime> median_kernel_groups_us(TokenModel& model, Path p, int passes);

// The path with the smallest back-to-back kernel time per token among `paths`.
Path fastest_path(TokenModel& model, const std::vector<Path>& paths = registered_paths(),
                  int passes = 3);

// token/<preset>/all/<path>/<mode>/<n>x<k>, n x k the largest step's shape.
RowKey token_row_key(const TokenModel& model, Path p, TokenMode m);

ResultRow token_row(const BenchContext& ctx, const TokenModel& model, Path p, const TokenSamples& t,
                    double kernel_us);

TokenFacts token_facts(const BenchContext& ctx, const TokenModel& model, Path p, double kernel_us);

}  // namespace qgemv
