#include "harness/mutate/kernel_instances.h"

#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include "harness/bench/model_preset.h"
#include "harness/bench/token_plan.h"
#include "harness/verify/verify_shapes.h"
#include "kernels/launch/launch_config.h"

namespace qgemv {
namespace {

MwvLanes lanes_of(int64_t n, int64_t k, int64_t resident_threads) {
  const LaunchShape s = mwv_shape_for(n, k, resident_threads);
  if (!mwv_shape_has_instance(s))
    throw std::logic_error("mwv's launch rule gives n=" + std::to_string(n) +
                           " k=" + std::to_string(k) + " a shape without a kernel instance");
  return {s.lanes_per_block, s.lanes_per_row};
}

using LanesByK = std::map<int64_t, std::set<MwvLanes>>;

// Every shape of the range, n by n: the rule reads n, and a few million shapes take
// milliseconds, so nothing about its form is assumed.
void add_range(const ShapeRange& r, int64_t resident_threads, LanesByK& by_k) {
  for (int64_t k = r.min_k; k <= r.max_k; k += kQK)
    for (int64_t n = r.min_n; n <= r.max_n; ++n) by_k[k].insert(lanes_of(n, k, resident_threads));
}

// Each preset's projections alone (kernel benchmarks, the eager token modes) and stacked as
// the workspace and graph modes launch them (q+k+v, gate+up).
void add_presets(int64_t resident_threads, LanesByK& by_k) {
  for (const ModelPreset& p : model_presets()) {
    const std::vector<TokenStep> steps = token_steps(p);
    for (const TokenStep& s : steps) by_k[s.k].insert(lanes_of(s.n, s.k, resident_threads));
    for (const TokenLaunch& l : token_launches(steps))
      by_k[l.k].insert(lanes_of(l.n, l.k, resident_threads));
  }
}

// Every shape verify runs or a preset launches, by k; and the generated cases' alone.
struct UsedShapes {
  LanesByK all, generated;
};

UsedShapes used_shapes(const VerifyOptions& verify, int64_t resident_threads) {
  UsedShapes u;
  const std::vector<ShapeRange> ranges = verify_shape_ranges(verify);
  add_range(ranges.front(), resident_threads, u.generated);
  for (const ShapeRange& r : ranges) add_range(r, resident_threads, u.all);
  add_presets(resident_threads, u.all);
  return u;
}

// The k window of `lanes` among the generated shapes (else among all), and whether every
// generated shape in it has these lanes.
void set_window(const UsedShapes& u, MwvLanes lanes, KernelInstance& inst) {
  std::vector<int64_t> ks;
  for (const auto& [k, set] : u.generated)
    if (set.contains(lanes)) ks.push_back(k);
  inst.window_exact = !ks.empty();
  if (ks.empty())
    for (const auto& [k, set] : u.all)
      if (set.contains(lanes)) ks.push_back(k);
  inst.min_k = ks.front();
  inst.max_k = ks.back();
  for (const auto& [k, set] : u.generated)
    if (k >= inst.min_k && k <= inst.max_k && set != std::set<MwvLanes>{lanes})
      inst.window_exact = false;
}

// "Q8Input" of "gemv_mwv_kernel<Q8Input>": the Input functor the path's kernel is built with.
std::string input_functor(const PathInfo& p) {
  const std::string name = p.kernel_name(p, kQK);
  const size_t open = name.find('<'), close = name.rfind('>');
  if (open == std::string::npos || close == std::string::npos || close < open)
    throw std::logic_error("mwv path " + std::string(p.name) + ": kernel name " + name +
                           " names no input");
  return name.substr(open + 1, close - open - 1);
}

}  // namespace

std::vector<MwvLanes> used_mwv_lanes(const VerifyOptions& verify, int64_t resident_threads) {
  std::set<MwvLanes> used;
  for (const auto& [k, set] : used_shapes(verify, resident_threads).all)
    used.insert(set.begin(), set.end());
  return {used.begin(), used.end()};
}

std::vector<KernelInstance> used_mwv_instances(const VerifyOptions& verify,
                                               int64_t resident_threads) {
  const UsedShapes u = used_shapes(verify, resident_threads);
  std::set<MwvLanes> lanes;
  for (const auto& [k, set] : u.all) lanes.insert(set.begin(), set.end());
  std::vector<KernelInstance> out;
  std::set<std::string> inputs;
  for (const PathInfo* p : builtin_table()) {
    if (p->shape != &mwv_shape) continue;
    // mwv_q8 and mwv_q8_dsum launch the same kernel; only the quantizer's convention differs.
    const std::string input = input_functor(*p);
    if (!inputs.insert(input).second) continue;
    for (const MwvLanes& l : lanes) {
      KernelInstance inst;
      inst.name = std::string(p->name) + "<" + std::to_string(l.per_block) + "," +
                  std::to_string(l.per_row) + ">";
      // The Itanium mangling of gemv_mwv_kernel<L, T, qgemv::dev::(anon)::Input>.
      inst.entry = "gemv_mwv_kernelILi" + std::to_string(l.per_block) + "ELi" +
                   std::to_string(l.per_row) + "ENS1_" + std::to_string(input.size()) + input + "E";
      inst.launch =
          std::string("input=") + (p->input == Activation::kQ8_1 ? "q8_1" : "f32") +
          ";threads=" + std::to_string(kMwvThreads) + ";grid=cdiv(n," +
          std::to_string(kMwvThreads / l.per_row) +
          ");params=w,x,y,n,k;dependent_launch=1;rounding=" + std::to_string(p->rounding_extra);
      set_window(u, l, inst);
      out.push_back(std::move(inst));
    }
  }
  return out;
}

std::vector<KernelInstance> used_instances(const std::string& file, const std::string& part,
                                           const VerifyOptions& verify, int64_t resident_threads) {
  if (std::filesystem::path(file).filename() != "gemv_mwv.cu")
    throw std::invalid_argument(
        "--instances used knows the instances of gemv_mwv.cu, the one built-in kernel whose "
        "instance is chosen per shape; for " +
        file + " name the entry (FILE.cu:ENTRY) and its --launch");
  std::vector<KernelInstance> out;
  for (KernelInstance& i : used_mwv_instances(verify, resident_threads))
    if (part.empty() || i.entry.find(part) != std::string::npos ||
        i.name.find(part) != std::string::npos)
      out.push_back(std::move(i));
  if (out.empty())
    throw std::invalid_argument("no used instance of " + file + " has '" + part +
                                "' in its entry or name");
  return out;
}

}  // namespace qgemv
