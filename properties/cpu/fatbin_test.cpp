// The fatbin reader without a GPU: on containers built here byte by byte (each field where
// fatbin.h says nvcc puts it), on bytes that are not what they claim, and on this build's own
// paths library, whose kernels nvcc compiled for sm_89 and sm_90.
#include "harness/cubin/fatbin.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "harness/cubin/elf_file.h"
#include "harness/io/read_whole_file.h"

namespace qgemv {
namespace {

template <class T>
void put(std::string& out, size_t at, T v) {
  if (out.size() < at + sizeof v) out.resize(at + sizeof v, '\0');
  std::memcpy(out.data() + at, &v, sizeof v);
}

struct Entry {
  uint16_t kind;
  uint32_t arch;
  std::string payload;
  uint64_t flags = 0x11;  // 64-bit, Linux: as nvcc 13 writes its cubins
};

std::string container(const std::vector<Entry>& entries) {
  std::string body;
  for (const Entry& e : entries) {
    std::string h(64, '\0');
    put<uint16_t>(h, 0, e.kind);
    put<uint16_t>(h, 2, 0x0101);
    put<uint32_t>(h, 4, 64);
    put<uint64_t>(h, 8, e.payload.size());
    put<uint32_t>(h, 28, e.arch);
    put<uint64_t>(h, 40, e.flags);
    body += h + e.payload;
  }
  std::string c(16, '\0');
  put<uint32_t>(c, 0, 0xBA55ED50);
  put<uint16_t>(c, 4, 1);
  put<uint16_t>(c, 6, 16);
  put<uint64_t>(c, 8, body.size());
  return c + body;
}

// A 64-bit ELF with the sections named, in order, after the null section and .shstrtab.
std::string elf_with(const std::vector<std::pair<std::string, std::string>>& sections) {
  std::string names(1, '\0'), data;
  std::vector<uint32_t> name_at;
  std::vector<uint64_t> data_at;
  names += ".shstrtab";
  names += '\0';
  for (const auto& [name, bytes] : sections) {
    name_at.push_back(uint32_t(names.size()));
    names += name;
    names += '\0';
  }
  std::string elf(64, '\0');
  std::memcpy(elf.data(),
              "\x7f"
              "ELF\x02\x01\x01",
              7);
  const uint64_t names_at = elf.size();
  elf += names;
  for (const auto& [name, bytes] : sections) {
    data_at.push_back(elf.size());
    elf += bytes;
  }
  const uint64_t shoff = elf.size();
  const auto header = [&](uint32_t name, uint32_t type, uint64_t at, uint64_t size) {
    std::string h(64, '\0');
    put<uint32_t>(h, 0, name);
    put<uint32_t>(h, 4, type);
    put<uint64_t>(h, 24, at);
    put<uint64_t>(h, 32, size);
    elf += h;
  };
  header(0, 0, 0, 0);
  header(1, 3, names_at, names.size());
  for (size_t i = 0; i < sections.size(); ++i)
    header(name_at[i], 1, data_at[i], sections[i].second.size());
  put<uint64_t>(elf, 0x28, shoff);
  put<uint16_t>(elf, 0x3a, 64);
  put<uint16_t>(elf, 0x3c, uint16_t(sections.size() + 2));
  put<uint16_t>(elf, 0x3e, 1);
  return elf;
}

// Expects `f` to throw a FatbinError whose message contains `says`.
template <class F>
void expect_refused(F&& f, const std::string& says) {
  try {
    f();
    ADD_FAILURE() << "accepted; expected an error saying " << says;
  } catch (const FatbinError& e) {
    EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
  }
}

TEST(Fatbin, FindsTheSectionAndWalksEveryContainer) {
  // Two translation units, the linker's zero padding between them.
  const std::string fatbin =
      container({{2, 89, "cubin 89"}, {1, 90, "ptx 90", 0x8011}, {2, 90, "cubin 90"}}) +
      std::string(8, '\0') + container({{2, 86, "old cubin"}, {2, 80, "older cubin"}});
  const std::string elf = elf_with({{".text", "code"}, {".nv_fatbin", fatbin}});
  const std::string_view section = elf_section(elf, ".nv_fatbin");
  EXPECT_EQ(section, fatbin);

  const std::vector<FatbinEntry> all = fatbin_entries(section);
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0].kind, FatbinEntry::Kind::kCubin);
  EXPECT_EQ(all[0].arch, 89);
  EXPECT_EQ(all[0].payload, "cubin 89");
  EXPECT_FALSE(all[0].compressed);
  EXPECT_EQ(all[1].kind, FatbinEntry::Kind::kPtx);
  EXPECT_TRUE(all[1].compressed) << "nvcc 13 compresses the PTX with zstd (flag 0x8000)";
  EXPECT_EQ(all[3].container, 1u);
  EXPECT_EQ(all[4].payload, "older cubin");
}

TEST(Fatbin, PicksTheCubinTheDeviceLoads) {
  // The entries point into the bytes, which must outlive them.
  const std::string fatbin = container({{2, 89, "a89"}, {1, 90, "ptx"}, {2, 90, "a90"}}) +
                             container({{2, 80, "b80"}, {2, 86, "b86"}}) +
                             container({{1, 90, "ptx"}});
  const std::vector<FatbinEntry> all = fatbin_entries(fatbin);
  const auto on = [&](int arch) {
    std::string got;
    for (const FatbinEntry& e : cubins_for_arch(all, arch)) got += std::string(e.payload) + " ";
    return got;
  };
  EXPECT_EQ(on(90), "a90 ") << "only the PTX of the others: compiled at load time";
  EXPECT_EQ(on(89), "a89 b86 ") << "an sm_86 cubin runs on sm_89, the newest older minor wins";
  EXPECT_EQ(on(86), "b86 ");
  EXPECT_EQ(on(120), "");
}

TEST(Fatbin, MarksCompressedEntries) {
  for (uint64_t flags : {uint64_t(0x2011), uint64_t(0x8011)}) {
    const std::string fatbin = container({{2, 90, "xxxx", flags}});
    const auto e = fatbin_entries(fatbin);
    ASSERT_EQ(e.size(), 1u);
    EXPECT_TRUE(e[0].compressed) << std::hex << flags;
  }
}

TEST(Fatbin, RefusesGarbageSayingWhere) {
  expect_refused(
      [] { elf_section("MZ not an ELF at all, just some bytes long enough......", "x"); },
      "not a 64-bit little-endian ELF");
  expect_refused(
      [] {
        elf_section(elf_with({{".text", "code"}}), ".nv_fatbin");
      },
      "no section .nv_fatbin");
  std::string truncated = elf_with({{".nv_fatbin", container({{2, 90, "x"}})}});
  truncated.resize(truncated.size() - 100);
  expect_refused([&] { elf_section(truncated, ".nv_fatbin"); }, "truncated");

  const std::string good = container({{2, 90, "cubin"}});
  expect_refused([&] { fatbin_entries(good + "garbage!garbage!"); },
                 "magic 0x62726167 where a container starts (expected 0xba55ed50) at offset " +
                     std::to_string(good.size()));
  expect_refused([&] { fatbin_entries(good.substr(0, good.size() - 1)); },
                 "a container of 69 bytes past the end at offset 0");
  expect_refused([&] { fatbin_entries(good.substr(0, 10)); }, "a container header cut short");
  std::string overrun = good;
  put<uint64_t>(overrun, 16 + 8, 1000);  // the entry's payload size
  expect_refused([&] { fatbin_entries(overrun); }, "an entry whose 1000 bytes overrun");
  std::string version = good;
  put<uint16_t>(version, 4, 2);
  expect_refused([&] { fatbin_entries(version); }, "container version 2");
}

// Any bytes: an answer or a FatbinError, never a read outside them (the ASan build checks).
RC_GTEST_PROP(Fatbin, DamagedBytesAreReadOrRefusedNeverOverrun, ()) {
  std::string elf = elf_with(
      {{".nv_fatbin", container({{2, 90, "cubin"}, {1, 90, "ptx"}}) + container({{2, 89, "x"}})}});
  const auto flips = *rc::gen::container<std::vector<std::pair<size_t, char>>>(
      rc::gen::pair(rc::gen::inRange<size_t>(0, elf.size()), rc::gen::arbitrary<char>()));
  for (const auto& [at, byte] : flips) elf[at] = byte;
  elf.resize(*rc::gen::inRange<size_t>(0, elf.size() + 1));
  try {
    const std::string_view section = elf_section(elf, ".nv_fatbin");
    for (const FatbinEntry& e : fatbin_entries(section)) {
      RC_ASSERT(e.payload.data() >= section.data());
      RC_ASSERT(e.payload.data() + e.payload.size() <= section.data() + section.size());
    }
  } catch (const FatbinError&) {
  }
}

// This build's paths library: nvcc's own fatbins (CMAKE_CUDA_ARCHITECTURES 89-real 90), whose
// cubins are ELF files with the build's kernels.
TEST(Fatbin, ReadsThisBuildsKernels) {
  const std::string lib = read_whole_file(QGEMV_PATHS_LIBRARY);
  const std::vector<FatbinEntry> all = fatbin_entries(elf_section(lib, ".nv_fatbin"));
  const std::vector<FatbinEntry> sm90 = cubins_for_arch(all, 90);
  ASSERT_FALSE(sm90.empty());
  for (const FatbinEntry& e : sm90) {
    EXPECT_EQ(e.arch, 90);
    ASSERT_FALSE(e.compressed) << "nvcc 13 leaves cubins whole";
    EXPECT_EQ(e.payload.substr(0, 4),
              "\x7f"
              "ELF");
    EXPECT_NO_THROW(ElfFile(e.payload, "cubin"));
  }
  EXPECT_EQ(cubins_for_arch(all, 89).size(), sm90.size()) << "every unit built for both";
}

}  // namespace
}  // namespace qgemv
