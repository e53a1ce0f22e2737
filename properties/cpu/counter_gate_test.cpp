// The counter gate without a GPU: two profiles of one workload, kernel by kernel. Built from the
// H100 probes fixture (real ncu output) and changed by hand, so that each rule is seen to pass
// what it must pass and fail what it must fail; and the profile's JSON read back.
#include "harness/profile/counter_gate.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "harness/io/json_reader.h"
#include "harness/profile/profile_dir.h"
#include "harness/profile/profile_json_reader.h"

namespace qgemv::profile {
namespace {

ProfileReport probes() {
  return read_profile_dir(std::string(QGEMV_SOURCE_DIR) + "/properties/fixtures/ncu-probes").report;
}

// The fixture predates the write counter; the gate's rules need every counter known.
ProfileReport probes_with_writes() {
  ProfileReport r = probes();
  for (KernelCounters& c : r.kernels) c.dram_write_bytes = 1 << 20;
  return r;
}

const CounterChange& counter(const KernelComparison& k, const std::string& name) {
  const auto it = std::find_if(k.counters.begin(), k.counters.end(),
                               [&](const CounterChange& c) { return c.counter == name; });
  EXPECT_NE(it, k.counters.end()) << name;
  return *it;
}

CounterGateReport gate(const ProfileReport& base, const ProfileReport& now) {
  return compare_counters(base, now, CounterGateLimits{});
}

TEST(CounterGate, TheFixtureHasEveryCounterTheGateReads) {
  const ProfileReport r = probes();
  ASSERT_EQ(r.kernels.size(), 3u);
  // ncu 2025.3's raw page names it inst_executed; the gate reads it as smsp__inst_executed.sum.
  EXPECT_EQ(r.kernels[1].instructions, 571194624);
  EXPECT_EQ(r.kernels[0].spill_instructions, 0);
  EXPECT_EQ(r.kernels[0].registers, 32);
  EXPECT_EQ(r.kernels[0].shared_bytes, 0);
  EXPECT_EQ(r.kernels[0].dram_write_bytes, -1) << "not requested when the fixture was taken";
}

TEST(CounterGate, IdenticalProfilesPassUnchanged) {
  const CounterGateReport r = gate(probes_with_writes(), probes_with_writes());
  EXPECT_FALSE(r.fails());
  ASSERT_EQ(r.kernels.size(), 3u);
  for (const KernelComparison& k : r.kernels) {
    EXPECT_EQ(k.outcome, KernelOutcome::kUnchanged) << k.key;
    EXPECT_EQ(k.counters.size(), 6u);
  }
  const auto junit = counter_gate_junit(r);
  EXPECT_TRUE(std::all_of(junit.begin(), junit.end(), [](const JunitCase& c) {
    return c.outcome == JunitCase::Outcome::kPassed;
  }));
  EXPECT_NE(counter_gate_text(r).find(": pass"), std::string::npos);
}

TEST(CounterGate, OnePercentMoreDramBytesFailsAndNoiseDoesNot) {
  const ProfileReport base = probes_with_writes();
  ProfileReport now = base;
  now.kernels[0].dram_read_bytes *= 1.01;  // stream_read: 1 GiB, +10 MB
  CounterGateReport r = gate(base, now);
  EXPECT_TRUE(r.fails());
  EXPECT_EQ(r.kernels[0].outcome, KernelOutcome::kFails);
  EXPECT_TRUE(counter(r.kernels[0], "dram_read_bytes").fails);
  EXPECT_EQ(r.kernels[1].outcome, KernelOutcome::kUnchanged);
  EXPECT_NE(counter_gate_csv(r).find(",dram_read_bytes,1073750784,1084488292,+1.000,1"),
            std::string::npos)
      << counter_gate_csv(r);

  now = base;
  now.kernels[0].dram_write_bytes *= 1.01;
  EXPECT_TRUE(gate(base, now).fails()) << "written bytes too";

  // Within the threshold: reported as a change, not failed.
  now = base;
  now.kernels[0].dram_read_bytes *= 1.004;
  r = gate(base, now);
  EXPECT_FALSE(r.fails());
  EXPECT_EQ(r.kernels[0].outcome, KernelOutcome::kChanged);

  // A small kernel's reads move by a few hundred bytes between processes (768 of 13 KB for the
  // 1.5b quantization, 5.9%): under the byte floor, not a failure.
  now = base;
  now.kernels[1].dram_read_bytes += 768;  // fma_spin reads 5.6 KB
  EXPECT_FALSE(gate(base, now).fails());
  now.kernels[1].dram_read_bytes += CounterGateLimits{}.dram_floor_bytes;
  EXPECT_TRUE(gate(base, now).fails());

  // Fewer bytes is an improvement.
  now = base;
  now.kernels[0].dram_read_bytes *= 0.9;
  EXPECT_FALSE(gate(base, now).fails());
}

TEST(CounterGate, MoreInstructionsBeyondTheThresholdFail) {
  const ProfileReport base = probes_with_writes();
  ProfileReport now = base;
  now.kernels[2].instructions *= 1.01;
  EXPECT_TRUE(gate(base, now).fails());
  now.kernels[2].instructions = base.kernels[2].instructions + 1;  // 4530 of 4529: 0.02%
  const CounterGateReport r = gate(base, now);
  EXPECT_FALSE(r.fails());
  EXPECT_EQ(r.kernels[2].outcome, KernelOutcome::kChanged) << "every change is reported";
  CounterGateLimits strict;
  strict.instructions_pct = 0;
  EXPECT_TRUE(compare_counters(base, now, strict).fails());
}

TEST(CounterGate, OneMoreRegisterIsReportedNotFailed) {
  const ProfileReport base = probes_with_writes();
  ProfileReport now = base;
  now.kernels[0].registers += 1;
  now.kernels[1].shared_bytes += 1024;
  const CounterGateReport r = gate(base, now);
  EXPECT_FALSE(r.fails());
  EXPECT_EQ(r.kernels[0].outcome, KernelOutcome::kChanged);
  const CounterChange& regs = counter(r.kernels[0], "registers");
  EXPECT_TRUE(regs.changed);
  EXPECT_EQ(regs.base, 32);
  EXPECT_EQ(regs.now, 33);
  EXPECT_EQ(r.kernels[1].outcome, KernelOutcome::kChanged);
  const std::string text = counter_gate_text(r);
  EXPECT_NE(text.find("| stream_read | changed | registers 32 -> 33 (+3.125%) |"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("shared_bytes 0 -> 1024 |"), std::string::npos) << text;
}

TEST(CounterGate, ASpillAppearingFails) {
  const ProfileReport base = probes_with_writes();
  ProfileReport now = base;
  now.kernels[1].spill_instructions = 2;
  const CounterGateReport r = gate(base, now);
  EXPECT_TRUE(r.fails());
  EXPECT_EQ(r.kernels[1].outcome, KernelOutcome::kFails);
  const auto junit = counter_gate_junit(r);
  ASSERT_EQ(junit.size(), 3u);
  EXPECT_EQ(junit[1].outcome, JunitCase::Outcome::kFailed);
  EXPECT_EQ(junit[1].name, "fma_spin");
  EXPECT_EQ(junit[1].message, "spill_instructions 0 -> 2 FAILS");
  // Fewer spills is no failure.
  EXPECT_FALSE(gate(now, base).fails());
}

TEST(CounterGate, AKernelOnOneSideOnlyIsReported) {
  const ProfileReport base = probes_with_writes();
  ProfileReport now = base;
  now.kernels.erase(now.kernels.begin() + 1);
  KernelCounters extra = base.kernels[2];
  extra.launch.label = "pointer_chase_v2";
  now.kernels.push_back(extra);
  const CounterGateReport r = gate(base, now);
  EXPECT_FALSE(r.fails()) << "a kernel fused away or added is a change for the time gate";
  ASSERT_EQ(r.kernels.size(), 4u);
  EXPECT_EQ(r.kernels[1].key, "fma_spin");
  EXPECT_EQ(r.kernels[1].outcome, KernelOutcome::kOnlyInBase);
  EXPECT_EQ(r.kernels[3].key, "pointer_chase_v2");
  EXPECT_EQ(r.kernels[3].outcome, KernelOutcome::kOnlyInNew);
  const auto junit = counter_gate_junit(r);
  EXPECT_EQ(junit[1].outcome, JunitCase::Outcome::kSkipped);
  EXPECT_EQ(junit[3].outcome, JunitCase::Outcome::kSkipped);
  const std::string text = counter_gate_text(r);
  EXPECT_NE(text.find("| fma_spin | only in base |"), std::string::npos) << text;
  EXPECT_NE(text.find("1 only in base, 1 only in new"), std::string::npos) << text;
}

// A token layer launches the quantization before each projection: the same label and shape
// paired by occurrence, not all against the first.
TEST(CounterGate, RepeatedLaunchesArePairedInOrder) {
  ProfileReport base = probes_with_writes();
  base.kernels = {base.kernels[0], base.kernels[0]};
  ProfileReport now = base;
  now.kernels[1].instructions *= 2;
  const CounterGateReport r = gate(base, now);
  ASSERT_EQ(r.kernels.size(), 2u);
  EXPECT_EQ(r.kernels[0].key, "stream_read");
  EXPECT_EQ(r.kernels[1].key, "stream_read #2");
  EXPECT_EQ(r.kernels[0].outcome, KernelOutcome::kUnchanged);
  EXPECT_EQ(r.kernels[1].outcome, KernelOutcome::kFails);
}

TEST(CounterGate, AnUnknownCounterNeverFailsAndDifferentWorkloadsAreRefused) {
  const ProfileReport base = probes();  // no written bytes
  ProfileReport now = probes_with_writes();
  const CounterGateReport r = gate(base, now);
  EXPECT_FALSE(r.fails());
  EXPECT_FALSE(counter(r.kernels[0], "dram_write_bytes").changed);
  EXPECT_NE(counter_gate_text(r).find("unknown on a side: dram_write_bytes"), std::string::npos);
  now.subject = "qwen2.5-7b";
  EXPECT_THROW(gate(base, now), std::invalid_argument);
  now = probes();
  now.suite = "token";
  EXPECT_THROW(gate(base, now), std::invalid_argument);
}

TEST(CounterGate, TheProfileJsonReadsBackToTheSameCounters) {
  const ProfileReport base = probes_with_writes();
  const ProfileReport back = profile_from_json(profile_json(base));
  EXPECT_EQ(back.subject, base.subject);
  ASSERT_EQ(back.kernels.size(), base.kernels.size());
  EXPECT_EQ(back.kernels[1].kernel, base.kernels[1].kernel);
  EXPECT_EQ(back.kernels[1].instructions, base.kernels[1].instructions);
  const CounterGateReport r = gate(base, back);
  EXPECT_FALSE(r.fails());
  for (const KernelComparison& k : r.kernels) EXPECT_EQ(k.outcome, KernelOutcome::kUnchanged);
  // null (a counter ncu did not give) reads back as unknown, not 0.
  EXPECT_EQ(profile_from_json(profile_json(probes())).kernels[0].dram_write_bytes, -1);
  EXPECT_THROW(profile_from_json("{\"schema_version\": 2}"), std::runtime_error);
  EXPECT_THROW(profile_from_json("{\"schema_version\": 1, \"subject\": \"x\""), JsonError);
}

TEST(CounterGate, ItsJsonIsJson) {
  ProfileReport now = probes_with_writes();
  now.kernels[0].registers += 1;
  const JsonValue v = parse_json(counter_gate_json(gate(probes_with_writes(), now)));
  ASSERT_NE(v.find("kernels"), nullptr);
  EXPECT_EQ(v.find("fails")->boolean, false);
  const JsonValue& k0 = v.find("kernels")->array.at(0);
  EXPECT_EQ(k0.find("outcome")->string, "changed");
  EXPECT_EQ(k0.find("counters")->array.at(4).find("new")->number, 33);
}

// The same compiled code on both sides: what it executes and reads is fixed, so its counters
// are not compared, whatever they say (here doubled DRAM bytes, which would fail).
ProfileReport with_sass(ProfileReport r, const std::string& identity) {
  for (KernelCounters& c : r.kernels) c.sass = identity;
  return r;
}

constexpr const char* kSass = "sm_90:0123456789abcdef";

TEST(CounterGate, TheSameSassIsSkippedAndNeverFails) {
  const ProfileReport base = with_sass(probes_with_writes(), kSass);
  ProfileReport now = base;
  now.kernels[0].dram_read_bytes *= 2;
  const CounterGateReport r = gate(base, now);
  EXPECT_FALSE(r.fails());
  ASSERT_EQ(r.kernels.size(), 3u);
  for (const KernelComparison& k : r.kernels) {
    EXPECT_EQ(k.outcome, KernelOutcome::kSameSass) << k.key;
    EXPECT_EQ(k.code, CodeMatch::kSame);
    EXPECT_TRUE(k.counters.empty()) << "not compared";
  }
  const std::string text = counter_gate_text(r);
  EXPECT_NE(text.find("| stream_read | same SASS | counters not compared |"), std::string::npos)
      << text;
  EXPECT_NE(text.find("3 kernels: 3 same SASS (not compared), 0 unchanged"), std::string::npos);
  const auto junit = counter_gate_junit(r);
  EXPECT_EQ(junit[0].outcome, JunitCase::Outcome::kSkipped);
  EXPECT_EQ(junit[0].message, "same SASS (sm_90:0123456789abcdef): counters not compared");
  const JsonValue v = parse_json(counter_gate_json(r));
  EXPECT_EQ(v.find("schema_version")->number, kCounterGateSchemaVersion);
  const JsonValue& k0 = v.find("kernels")->array.at(0);
  EXPECT_EQ(k0.find("outcome")->string, "same SASS");
  EXPECT_EQ(k0.find("code")->string, "same");
  EXPECT_EQ(k0.find("new_sass")->string, kSass);
  EXPECT_TRUE(k0.find("counters")->array.empty());
  EXPECT_NE(counter_gate_csv(r).find("stream_read,\"unnamed>::stream_read_kernel(const uint4 *, "
                                     "unsigned long, unsigned int *)\""),
            std::string::npos);
  EXPECT_NE(counter_gate_csv(r).find(",same SASS,,,,,,same,sm_90:0123456789abcdef,sm_90:"),
            std::string::npos)
      << counter_gate_csv(r);
}

TEST(CounterGate, DifferentSassIsCompared) {
  const ProfileReport base = with_sass(probes_with_writes(), kSass);
  ProfileReport now = base;
  now.kernels[0].sass = "sm_90:fedcba9876543210";
  now.kernels[0].dram_read_bytes *= 2;
  const CounterGateReport r = gate(base, now);
  EXPECT_TRUE(r.fails());
  EXPECT_EQ(r.kernels[0].outcome, KernelOutcome::kFails);
  EXPECT_EQ(r.kernels[0].code, CodeMatch::kDifferent);
  EXPECT_EQ(r.kernels[1].outcome, KernelOutcome::kSameSass);
  EXPECT_NE(counter_gate_text(r).find("FAILS; SASS changed |"), std::string::npos)
      << counter_gate_text(r);
  // Changed code with equal counters: compared, and unchanged.
  now.kernels[0].dram_read_bytes = base.kernels[0].dram_read_bytes;
  const CounterGateReport same_counters = gate(base, now);
  EXPECT_EQ(same_counters.kernels[0].outcome, KernelOutcome::kUnchanged);
  EXPECT_NE(counter_gate_text(same_counters).find("| stream_read | unchanged | SASS changed |"),
            std::string::npos);
}

TEST(CounterGate, AnUnknownIdentityIsComparedAndSaidToBe) {
  const ProfileReport base = with_sass(probes_with_writes(), kSass);
  ProfileReport now = base;
  now.kernels[0].sass = "";  // its cubin could not be read
  now.kernels[0].instructions *= 1.01;
  const CounterGateReport r = gate(base, now);
  EXPECT_TRUE(r.fails());
  EXPECT_EQ(r.kernels[0].code, CodeMatch::kUnknown);
  EXPECT_NE(counter_gate_text(r).find("FAILS; code identity unknown |"), std::string::npos)
      << counter_gate_text(r);
  EXPECT_EQ(parse_json(counter_gate_json(r)).find("kernels")->array.at(0).find("code")->string,
            "unknown");
  EXPECT_NE(counter_gate_junit(r)[0].details.find("code identity unknown"), std::string::npos);

  // Profiles saved before identities were recorded: every kernel compared, said once.
  const CounterGateReport old = gate(probes_with_writes(), probes_with_writes());
  EXPECT_FALSE(old.identities_recorded);
  const std::string text = counter_gate_text(old);
  EXPECT_NE(text.find("neither profile records the kernels' code identities"), std::string::npos);
  EXPECT_EQ(text.find("code identity unknown"), std::string::npos) << "not on every line";
  EXPECT_EQ(gate(probes_with_writes(), with_sass(probes_with_writes(), kSass)).kernels[0].code,
            CodeMatch::kUnknown)
      << "an old base against a new profile";
}

// The host may launch the same code differently (another grid for the same shape): then what
// it executes and reads can change, and the counters are compared.
TEST(CounterGate, TheSameSassLaunchedDifferentlyIsCompared) {
  const ProfileReport base = with_sass(probes_with_writes(), kSass);
  ProfileReport now = base;
  now.kernels[0].grid *= 2;
  now.kernels[0].instructions *= 1.01;
  const CounterGateReport r = gate(base, now);
  EXPECT_TRUE(r.fails());
  EXPECT_EQ(r.kernels[0].code, CodeMatch::kSame);
  EXPECT_EQ(r.kernels[0].outcome, KernelOutcome::kFails);
  EXPECT_NE(counter_gate_text(r).find("same SASS, launched differently: grid 528 -> 1056"),
            std::string::npos)
      << counter_gate_text(r);
}

TEST(JsonReader, ValuesEscapesAndErrors) {
  const JsonValue v =
      parse_json(R"( {"a": [1, -2.5e1, true, null], "s": "x\"\u00e9\n", "o": {}} )");
  EXPECT_EQ(v.find("a")->array.size(), 4u);
  EXPECT_EQ(v.find("a")->array[1].number, -25);
  EXPECT_EQ(v.find("a")->array[3].type, JsonValue::Type::kNull);
  EXPECT_EQ(v.find("s")->string, "x\"\xc3\xa9\n");
  EXPECT_EQ(v.find("missing"), nullptr);
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "01x", "\"\\q\"", "1 2", "nul", "1e999"})
    EXPECT_THROW(parse_json(bad), JsonError) << bad;
  EXPECT_THROW(parse_json(std::string(100, '[')), JsonError) << "nested too deep";
}

}  // namespace
}  // namespace qgemv::profile
