// What a verification worker tells its supervisor survives the trip: options, reports and any
// text a failure message can hold.
#include "harness/verify/worker_protocol.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <sstream>

#include "harness/verify/isolated_verify.h"

namespace qgemv::worker {
namespace {

RC_GTEST_PROP(WorkerProtocol, EscapedFieldsSplitBack, (std::vector<std::string> fields)) {
  RC_PRE(!fields.empty());
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += '\t';
    line += escape(fields[i]);
  }
  RC_ASSERT(line.find('\n') == std::string::npos);
  RC_ASSERT(split_fields(line) == fields);
}

TEST(WorkerProtocol, ReportRoundTrip) {
  VerifyReport r;
  r.tallies["mwv/into"] = {2000, 1};
  r.tallies["q8_quantize"] = {30, 0};
  r.failures = {{"mwv/into", "mwv seed=1 n=2 k=256 form=into: 1 of 2 rows\n  row 0: got nan\tx"},
                {"", ""},
                {"q8_quantize", "\\n"},
                {"mwv/one-hot k=256\t", "\t"}};
  const VerifyReport back = decode_report(unescape(escape(encode_report(r))));
  ASSERT_EQ(back.tallies.size(), 2u);
  EXPECT_EQ(back.tallies.at("mwv/into").cases, 2000);
  EXPECT_EQ(back.tallies.at("mwv/into").failures, 1);
  EXPECT_EQ(back.failures, r.failures);
}

TEST(WorkerProtocol, OptionsRoundTripAndUnknownPathsRejected) {
  VerifyOptions o;
  o.cases = 17;
  o.seed = 18446744073709551615ull;
  o.shard = 3;
  o.shards = 8;
  o.first_unit = 5;
  o.structured = false;
  o.accuracy = false;
  o.paths = {Path::kMwv, Path::kQ4KQ8};
  int device = -1;
  const VerifyOptions back = decode_options(encode_options(o, 2), &device);
  EXPECT_EQ(device, 2);
  EXPECT_EQ(back.cases, 17);
  EXPECT_EQ(back.seed, o.seed);
  EXPECT_EQ(back.shard, 3);
  EXPECT_EQ(back.shards, 8);
  EXPECT_EQ(back.first_unit, 5);
  EXPECT_FALSE(back.structured);
  EXPECT_FALSE(back.accuracy);
  EXPECT_EQ(back.paths, o.paths);
  EXPECT_THROW(decode_options({"paths=nope"}, &device), std::invalid_argument);
  EXPECT_THROW(decode_options({"bogus=1"}, &device), std::invalid_argument);
}

}  // namespace
}  // namespace qgemv::worker

namespace qgemv {
namespace {

// A worker never starts workers: its executable would be one that ignores the worker flag.
TEST(IsolatedVerify, AWorkerRefusesToStartWorkers) {
  ::setenv("QGEMV_VERIFY_WORKER", "1", 1);
  std::ostringstream progress;
  EXPECT_THROW(run_isolated_verify(VerifyOptions{}, IsolationOptions{}, progress),
               std::logic_error);
  ::unsetenv("QGEMV_VERIFY_WORKER");
}

}  // namespace
}  // namespace qgemv
