// verify --quantizer on the CPU: what a wrong quantizer's q8_quantize failure says, how a
// quantizer is named to the workers (its FILE:ENTRY, which they load), and which FILE:ENTRY
// arguments are refused before any GPU is needed.
#include "harness/verify/quantizer.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "harness/external/external_quantizer.h"
#include "harness/verify/verify_suite.h"
#include "harness/verify/worker_protocol.h"

namespace qgemv {
namespace {

const std::string kSource = std::string(QGEMV_SOURCE_DIR) + "/kernels/gemv/q8_quantize.cu";

BlockQ8_1 block() {
  BlockQ8_1 b{};
  for (int i = 0; i < kQ8Values; ++i) b.qs[i] = int8_t(i - 16);
  b.d = 0x2000;  // 2^-7
  b.s = 0x3c00;  // 1
  return b;
}

TEST(Q8BlockDifference, NamesTheFirstValueDAndSWithBothValues) {
  const BlockQ8_1 want = block();
  EXPECT_EQ(q8_block_difference(want, want), "");
  BlockQ8_1 got = want;
  got.qs[31] = 0;
  got.qs[5] = -128;
  EXPECT_EQ(q8_block_difference(got, want), "q[5] is -128, not -11");
  got = want;
  got.d = 0x1ff8;
  EXPECT_EQ(q8_block_difference(got, want), "d is 0.00778198 (0x1ff8), not 0.0078125 (0x2000)");
}

TEST(Q8BlockDifference, EveryPartThatDiffersIsNamed) {
  const BlockQ8_1 want = block();
  BlockQ8_1 got = want;
  got.qs[31] = 0;
  got.s = 0x4000;  // 2
  EXPECT_EQ(q8_block_difference(got, want), "q[31] is 0, not 15; s is 2 (0x4000), not 1 (0x3c00)");
}

TEST(QuantizerArgs, MalformedFileEntryIsTheCommandLinesMistake) {
  EXPECT_THROW(ExternalQuantizer::check_arg(kSource), ExternalArgsError);  // no ENTRY
  EXPECT_THROW(ExternalQuantizer::check_arg(kSource + ":"), ExternalArgsError);
  EXPECT_THROW(ExternalQuantizer::check_arg(":entry"), ExternalArgsError);
  EXPECT_THROW(ExternalQuantizer::check_arg(std::string(QGEMV_SOURCE_DIR) + "/README.md:e"),
               ExternalArgsError);
  // A file that cannot be used is the input's.
  EXPECT_THROW(ExternalQuantizer::check_arg("/no/such/file.cu:e"), ExternalKernelError);
  EXPECT_NO_THROW(ExternalQuantizer::check_arg(kSource + ":q8_quantize_kernel"));
}

TEST(QuantizerArgs, TheBuiltinOneHasNoSpecAndADeclaredOneItsFileEntry) {
  EXPECT_EQ(builtin_quantizer().spec(), "");
  EXPECT_EQ(declare_quantizer(kSource + ":q8_quantize_kernel")->spec(),
            kSource + ":q8_quantize_kernel");
  EXPECT_THROW(declare_quantizer(kSource), ExternalArgsError);
}

TEST(WorkerProtocol, AQuantizerTravelsAsItsFileEntryAndIsLoadedByTheWorker) {
  VerifyOptions o;
  const std::vector<std::string> plain = worker::encode_options(o, 0);
  EXPECT_TRUE(std::none_of(plain.begin(), plain.end(),
                           [](const std::string& w) { return w.starts_with("quantizer="); }));
  o.quantizer = declare_quantizer(kSource + ":q8_quantize_kernel");
  const std::vector<std::string> words = worker::encode_options(o, 0);
  EXPECT_NE(std::find(words.begin(), words.end(), "quantizer=" + kSource + ":q8_quantize_kernel"),
            words.end());
  // The worker loads what it is named: a file that is not there is an error there.
  int device = 0;
  EXPECT_THROW(worker::decode_options({"device=0", "quantizer=/no/such/file.cu:e"}, &device),
               ExternalKernelError);
}

// Every option a worker needs crosses the protocol: one that did not would make an isolated
// run differ from an in-process one without a word.
TEST(WorkerProtocol, TheWindowAndItsEdgesTravelToTheWorker) {
  VerifyOptions o;
  o.min_k = 1024;
  o.max_k = 4096;
  o.edge_k = true;
  int device = 0;
  const VerifyOptions back = worker::decode_options(worker::encode_options(o, 0), &device);
  EXPECT_EQ(back.min_k, 1024);
  EXPECT_EQ(back.max_k, 4096);
  EXPECT_TRUE(back.edge_k);
  o.edge_k = false;
  EXPECT_FALSE(worker::decode_options(worker::encode_options(o, 0), &device).edge_k);
}

}  // namespace
}  // namespace qgemv
