// One path table, and every path in it reachable: each consumer that takes a path (the CLI's
// --path of gemv, verify, bench, explain and profile, verify's defaults and its workers, the
// bench's kernel suite) is asked for every registered path, including one registered here at
// run time, so that a consumer keeping a list of its own fails.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "harness/bench/kernel_bench.h"
#include "harness/cli/args.h"
#include "harness/cli/selection.h"
#include "harness/verify/gguf_verify.h"
#include "harness/verify/verify_suite.h"
#include "harness/verify/worker_protocol.h"
#include "kernels/launch/path_registry.h"

namespace qgemv {
namespace {

bool contains(const std::vector<Path>& paths, Path p) {
  return std::find(paths.begin(), paths.end(), p) != paths.end();
}

// A consumer and whether it reaches path p.
struct Consumer {
  std::string name;
  std::function<bool(Path)> reaches;
};

std::vector<Consumer> consumers() {
  return {
      {"gemv --path NAME and verify --path NAME (select_path)",
       [](Path p) { return cli::select_path(std::string(path_name(p))) == p; }},
      {"bench, explain and profile --path NAME (select_paths)",
       [](Path p) { return cli::select_paths(std::string(path_name(p))) == std::vector<Path>{p}; }},
      {"bench --path all (select_paths)",
       [](Path p) { return contains(cli::select_paths("all"), p); }},
      {"the help texts' path list (path_names)",
       [](Path p) {
         const std::string names = ", " + cli::path_names() + ",";
         return names.find(", " + std::string(path_name(p)) + ",") != std::string::npos;
       }},
      {"verify without --path (VerifyOptions::paths)",
       [](Path p) { return contains(VerifyOptions{}.paths, p); }},
      {"verify --gguf without --path (GgufVerifyOptions::paths)",
       [](Path p) { return contains(GgufVerifyOptions{}.paths, p); }},
      {"verify's workers (the worker protocol's path list)",
       [](Path p) {
         VerifyOptions o;
         o.paths = {p};
         int device = 0;
         return worker::decode_options(worker::encode_options(o, 0), &device).paths == o.paths;
       }},
      {"bench's kernel suite (kernel_cases of select_paths(\"all\"))",
       [](Path p) {
         for (const KernelCase& c :
              kernel_cases({"qwen2.5-1.5b"}, cli::select_paths("all"), {KernelTiming::kOneLaunch}))
           if (!c.read_only && c.path == p) return true;
         return false;
       }},
  };
}

// "path: consumer" for every path a consumer does not reach.
std::vector<std::string> unreachable(std::span<const Consumer> cs, std::span<const Path> paths) {
  std::vector<std::string> out;
  for (Path p : paths)
    for (const Consumer& c : cs) {
      bool ok = false;
      try {
        ok = c.reaches(p);
      } catch (const std::exception&) {
      }
      if (!ok) out.push_back(std::string(path_name(p)) + ": " + c.name);
    }
  return out;
}

// A row registered at run time, as test files and external kernels add theirs: a consumer that
// kept a copy of the built-in list would miss it.
Path probe() {
  static const PathInfo info = [] {
    PathInfo i = builtin::mwv_q8_dsum;
    i.name = "reachability_probe";
    return i;
  }();
  static const Path p = register_path(info);
  return p;
}

TEST(PathReach, BuiltinPathsAreTheTablesRowsInOrder) {
  const std::span<const PathInfo* const> table = builtin_table();
  ASSERT_EQ(builtin_paths().size(), table.size());
  for (size_t i = 0; i < table.size(); ++i) EXPECT_EQ(builtin_paths()[i], Path(*table[i])) << i;
  EXPECT_TRUE(contains(builtin_paths(), Path::kMwvQ8Dsum));
  // The registry starts with the table, then the rows added at run time.
  for (size_t i = 0; i < table.size(); ++i) EXPECT_EQ(registered_paths()[i], builtin_paths()[i]);
}

TEST(PathReach, EveryRegisteredPathReachesEveryConsumer) {
  const Path p = probe();
  ASSERT_TRUE(contains(registered_paths(), p));
  ASSERT_FALSE(contains(builtin_paths(), p));
  for (const std::string& miss : unreachable(consumers(), registered_paths()))
    ADD_FAILURE() << "registered but not reachable: " << miss;
}

// The check can fail: a consumer with a list of its own misses the probe, and one that rejects
// a path (or throws for it) is reported for every path.
TEST(PathReach, AConsumerWithItsOwnListIsCaught) {
  const Path p = probe();
  const Consumer stale[] = {
      {"a copy of the built-in list", [](Path q) { return contains(builtin_paths(), q); }}};
  EXPECT_EQ(unreachable(stale, registered_paths()),
            std::vector<std::string>{std::string(path_name(p)) + ": a copy of the built-in list"});
  const Consumer throwing[] = {
      {"throws", [](Path q) -> bool { throw cli::UsageError(std::string(path_name(q))); }}};
  EXPECT_EQ(unreachable(throwing, registered_paths()).size(), registered_paths().size());
  EXPECT_THROW(cli::select_path("no_such_path"), cli::UsageError);
}

}  // namespace
}  // namespace qgemv
