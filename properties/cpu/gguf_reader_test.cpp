// The GGUF reader on files from the writer: what is written reads back; every truncation and
// every corruption a reader must survive is rejected with an error naming the file and the fault.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "harness/gguf/ggml_type.h"
#include "harness/gguf/gguf_file.h"
#include "harness/gguf/gguf_writer.h"
#include "harness/verify/random_case.h"

namespace qgemv::gguf {
namespace {

std::vector<uint8_t> q4k_data(int64_t n, int64_t k, uint64_t seed) {
  testing::Rng rng(seed);
  const Q4KMatrix w = testing::random_weights(rng, n, k, testing::Weights::kFromNormal);
  std::vector<uint8_t> b(w.bytes());
  std::memcpy(b.data(), w.blocks.data(), b.size());
  return b;
}

std::vector<uint8_t> small_file(uint32_t version = 3, uint32_t alignment = 32) {
  GgufWriter w(version, alignment);
  w.add_string("general.architecture", "llama");
  w.add_u32("llama.block_count", 1);
  w.add_strings("tokenizer.ggml.tokens", {"a", "bc", ""});
  w.add_f32s("tokenizer.ggml.scores", {0.5f, -1.0f, 2.0f});
  w.add_tensor("blk.0.attn_q.weight", {512, 3}, kTypeQ4K, q4k_data(3, 512, 1));
  w.add_tensor("blk.0.attn_norm.weight", {5}, kTypeF32, std::vector<uint8_t>(20, 1));
  w.add_tensor("blk.0.ffn_down.weight", {256, 2}, kTypeQ4K, q4k_data(2, 256, 2));
  return w.bytes();
}

GgufFile parse(const std::vector<uint8_t>& b) { return GgufFile::parse(b, "model.gguf"); }

// Parses, expecting a GgufError that names the file and contains `what`.
void expect_rejected(const std::vector<uint8_t>& b, const std::string& what) {
  try {
    parse(b);
    ADD_FAILURE() << "accepted; expected an error containing '" << what << "'";
  } catch (const GgufError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind("model.gguf: ", 0), 0u) << msg;
    EXPECT_NE(msg.find(what), std::string::npos) << "'" << msg << "' lacks '" << what << "'";
  }
}

// Byte offset of the field after a length-prefixed string equal to `s` (a key or tensor name).
size_t after_string(const std::vector<uint8_t>& b, const std::string& s) {
  std::vector<uint8_t> needle(8);
  const uint64_t len = s.size();
  std::memcpy(needle.data(), &len, 8);
  needle.insert(needle.end(), s.begin(), s.end());
  auto it = std::search(b.begin(), b.end(), needle.begin(), needle.end());
  if (it == b.end()) throw std::logic_error("string not in file: " + s);
  return size_t(it - b.begin()) + needle.size();
}

template <typename T>
void patch(std::vector<uint8_t>& b, size_t at, T v) {
  std::memcpy(&b[at], &v, sizeof v);
}

TEST(GgufReader, ReadsBackWhatWasWritten) {
  for (uint32_t version : {2u, 3u})
    for (uint32_t alignment : {1u, 8u, 32u, 64u}) {
      const auto b = small_file(version, alignment);
      const GgufFile f = parse(b);
      EXPECT_EQ(f.version(), version);
      EXPECT_EQ(f.alignment(), alignment);
      EXPECT_EQ(f.data_offset() % alignment, 0u);
      EXPECT_EQ(*f.find("general.architecture")->as_string(), "llama");
      EXPECT_EQ(*f.find("llama.block_count")->as_uint(), 1u);
      EXPECT_EQ(f.find("tokenizer.ggml.tokens")->count, 3u);
      EXPECT_EQ(f.find("tokenizer.ggml.tokens")->element_type, ValueType::kString);
      EXPECT_EQ(f.find("tokenizer.ggml.scores")->describe(), "array of 3 f32");
      ASSERT_EQ(f.tensors().size(), 3u);
      const TensorInfo* q = f.find_tensor("blk.0.attn_q.weight");
      ASSERT_NE(q, nullptr);
      EXPECT_EQ(q->dims, (std::vector<uint64_t>{512, 3}));
      EXPECT_EQ(q->type, kTypeQ4K);
      EXPECT_EQ(q->bytes, 3u * 2 * 144);
      const auto data = f.data(*q);
      const auto expect = q4k_data(3, 512, 1);
      EXPECT_TRUE(std::equal(data.begin(), data.end(), expect.begin(), expect.end()));
      const TensorInfo* down = f.find_tensor("blk.0.ffn_down.weight");
      const auto d2 = f.data(*down);
      const auto e2 = q4k_data(2, 256, 2);
      EXPECT_TRUE(std::equal(d2.begin(), d2.end(), e2.begin(), e2.end()));
      EXPECT_EQ(f.find_tensor("nope"), nullptr);
    }
}

RC_GTEST_PROP(GgufReader, RandomMetadataAndTensorsRoundTrip, ()) {
  const auto alignment = *rc::gen::element(1u, 4u, 32u, 256u);
  GgufWriter w(*rc::gen::element(2u, 3u), alignment);
  const auto values = *rc::gen::container<std::vector<uint32_t>>(rc::gen::arbitrary<uint32_t>());
  for (size_t i = 0; i < values.size(); ++i) w.add_u32("key." + std::to_string(i), values[i]);
  const auto text = *rc::gen::arbitrary<std::string>();
  w.add_string("text", text);
  const int tensors = *rc::gen::inRange(0, 5);
  std::vector<std::vector<uint8_t>> datas;
  for (int t = 0; t < tensors; ++t) {
    const uint64_t rows = *rc::gen::inRange<uint64_t>(1, 4),
                   blocks = *rc::gen::inRange<uint64_t>(1, 3);
    datas.push_back(*rc::gen::container<std::vector<uint8_t>>(size_t(rows * blocks * 144),
                                                              rc::gen::arbitrary<uint8_t>()));
    w.add_tensor("t" + std::to_string(t), {blocks * 256, rows}, kTypeQ4K, datas.back());
  }
  const auto b = w.bytes();
  const GgufFile f = GgufFile::parse(b, "random.gguf");
  RC_ASSERT(f.metadata().size() == values.size() + 1 + (alignment != 32));
  for (size_t i = 0; i < values.size(); ++i)
    RC_ASSERT(*f.find("key." + std::to_string(i))->as_uint() == values[i]);
  RC_ASSERT(*f.find("text")->as_string() == text);
  RC_ASSERT(f.tensors().size() == size_t(tensors));
  for (int t = 0; t < tensors; ++t) {
    const auto d = f.data(f.tensors()[size_t(t)]);
    RC_ASSERT(std::equal(d.begin(), d.end(), datas[size_t(t)].begin(), datas[size_t(t)].end()));
  }
}

TEST(GgufReader, EveryTruncationThatCutsTensorDataOrHeaderIsRejected) {
  const auto b = small_file();
  const GgufFile whole = parse(b);
  uint64_t data_end = 0;
  for (const TensorInfo& t : whole.tensors())
    data_end = std::max(data_end, whole.data_offset() + t.offset + t.bytes);
  for (size_t len = 0; len < data_end; ++len) {
    const std::vector<uint8_t> cut(b.begin(), b.begin() + long(len));
    EXPECT_THROW(parse(cut), GgufError) << "prefix of " << len << " bytes accepted";
  }
  // Only the last tensor's padding may go.
  for (size_t len = data_end; len <= b.size(); ++len)
    EXPECT_NO_THROW(parse(std::vector<uint8_t>(b.begin(), b.begin() + long(len))));
  expect_rejected({}, "not a GGUF file");
  expect_rejected(std::vector<uint8_t>(b.begin(), b.begin() + 30), "truncated");
  expect_rejected(std::vector<uint8_t>(b.begin(), b.end() - 100), "runs past the end of the file");
}

TEST(GgufReader, HeaderFaultsAreNamed) {
  auto b = small_file();
  auto bad = b;
  bad[0] = 'X';
  expect_rejected(bad, "not a GGUF file");
  bad = b;
  patch<uint32_t>(bad, 4, 1);
  expect_rejected(bad, "GGUF version 1 is not supported (versions 2 and 3 are)");
  patch<uint32_t>(bad, 4, 0x03000000);
  expect_rejected(bad, "big-endian");
  bad = b;
  patch<uint64_t>(bad, 8, uint64_t(1) << 60);
  expect_rejected(bad, "tensor count 1152921504606846976 is absurd");
  bad = b;
  patch<uint64_t>(bad, 16, 1000000);
  expect_rejected(bad, "metadata count 1000000 is absurd");
}

TEST(GgufReader, MetadataFaultsAreNamed) {
  const auto b = small_file();
  auto bad = b;
  patch<uint64_t>(bad, after_string(b, "general.architecture") + 4, uint64_t(1) << 40);
  expect_rejected(bad, "value of metadata 'general.architecture' claims 1099511627776 bytes");
  bad = b;
  patch<uint32_t>(bad, after_string(b, "llama.block_count"), 13);
  expect_rejected(bad, "metadata 'llama.block_count' has unknown value type 13");
  bad = b;
  patch<uint32_t>(bad, after_string(b, "tokenizer.ggml.tokens") + 4, 9);
  expect_rejected(bad, "nested arrays are not supported");
  bad = b;
  patch<uint32_t>(bad, after_string(b, "tokenizer.ggml.tokens") + 4, 77);
  expect_rejected(bad, "array 'tokenizer.ggml.tokens' has unknown element type 77");
  bad = b;
  patch<uint64_t>(bad, after_string(b, "tokenizer.ggml.scores") + 8, uint64_t(1) << 61);
  expect_rejected(bad, "array 'tokenizer.ggml.scores' claims 2305843009213693952 elements");
  bad = b;
  patch<uint64_t>(bad, after_string(b, "tokenizer.ggml.tokens") + 16, 90000);  // first string
  expect_rejected(bad, "string 0 of array 'tokenizer.ggml.tokens' claims 90000 bytes");
  GgufWriter dup;
  dup.add_u32("a", 1);
  dup.add_u32("a", 2);
  expect_rejected(dup.bytes(), "metadata key 'a' appears twice");
  GgufWriter b2;
  b2.add_bool("flag", true);
  auto bb = b2.bytes();
  patch<uint8_t>(bb, after_string(bb, "flag") + 4, 2);
  expect_rejected(bb, "is a bool holding 2");
}

TEST(GgufReader, AlignmentMustBeAU32PowerOfTwo) {
  for (uint32_t a : {0u, 3u, 48u}) {
    GgufWriter w(3, 32);
    w.add_u32("general.alignment", a);
    expect_rejected(w.bytes(), "general.alignment " + std::to_string(a) + " is not a power of two");
  }
  GgufWriter w;
  w.add_u64("general.alignment", 32);
  expect_rejected(w.bytes(), "general.alignment must be a u32, not u64");
}

TEST(GgufReader, TensorInfoFaultsAreNamed) {
  const auto b = small_file();
  const std::string q = "blk.0.attn_q.weight";
  const size_t dims_at = after_string(b, q);  // n_dims, ne[0], ne[1], type, offset
  auto bad = b;
  patch<uint32_t>(bad, dims_at, 0);
  expect_rejected(bad, "tensor '" + q + "' has 0 dimensions (1 to 4 allowed)");
  patch<uint32_t>(bad, dims_at, 5);
  expect_rejected(bad, "has 5 dimensions");
  bad = b;
  patch<uint64_t>(bad, dims_at + 4, uint64_t(1) << 62);
  patch<uint64_t>(bad, dims_at + 12, 8);
  expect_rejected(bad, "makes its element count overflow");
  bad = b;
  patch<uint64_t>(bad, dims_at + 4, 300);
  expect_rejected(bad, "has rows of 300 values, not a multiple of q4_K's block of 256");
  bad = b;
  patch<uint32_t>(bad, dims_at + 20, 77);
  expect_rejected(bad, "tensor '" + q + "' has unknown type 77");
  patch<uint32_t>(bad, dims_at + 20, 4);  // Q4_2, removed from ggml
  expect_rejected(bad, "has unknown type 4");
  bad = b;
  patch<uint64_t>(bad, dims_at + 24, 7);
  expect_rejected(bad, "data offset 7 is not a multiple of the alignment 32");
  bad = b;
  patch<uint64_t>(bad, dims_at + 24, uint64_t(1) << 63);
  expect_rejected(bad, "runs past the end of the file");
  bad = b;
  patch<uint64_t>(bad, dims_at + 12, 1000);  // 1000 rows: far more data than the file holds
  expect_rejected(bad, "tensor '" + q + "' (288000 bytes at data offset 0) runs past the end");
  // The down projection moved onto the q projection's bytes.
  bad = b;
  patch<uint64_t>(bad, after_string(b, "blk.0.ffn_down.weight") + 4 + 16 + 4, 0);
  expect_rejected(bad, "overlap in the data section");
  GgufWriter dup;
  dup.add_tensor("w", {32}, kTypeF32, std::vector<uint8_t>(128));
  dup.add_tensor("w", {32}, kTypeF32, std::vector<uint8_t>(128));
  expect_rejected(dup.bytes(), "tensor 'w' appears twice");
}

// Any single corrupted byte (or four) yields a file or a GgufError, never a crash or a read
// outside the buffer (the fuzz target checks the latter under AddressSanitizer).
RC_GTEST_PROP(GgufReader, CorruptedBytesAreParsedOrRejected, ()) {
  static const auto b = small_file();
  auto bad = b;
  const int flips = *rc::gen::inRange(1, 5);
  for (int i = 0; i < flips; ++i)
    bad[*rc::gen::inRange<size_t>(0, bad.size())] = *rc::gen::arbitrary<uint8_t>();
  try {
    const GgufFile f = GgufFile::parse(bad, "flipped.gguf");
    // Every tensor the reader accepted lies inside the file, and no two share a byte.
    const uintptr_t lo = uintptr_t(bad.data()), hi = lo + bad.size();
    std::vector<std::pair<uintptr_t, uintptr_t>> spans;
    for (const TensorInfo& t : f.tensors()) {
      const uintptr_t p = uintptr_t(f.data(t).data());
      RC_ASSERT(p >= lo && p <= hi && t.bytes <= hi - p);
      spans.emplace_back(p, p + t.bytes);
    }
    std::sort(spans.begin(), spans.end());
    for (size_t i = 1; i < spans.size(); ++i) RC_ASSERT(spans[i - 1].second <= spans[i].first);
  } catch (const GgufError& e) {
    RC_ASSERT(std::string(e.what()).rfind("flipped.gguf: ", 0) == 0);
  }
}

// The fuzz target's seeds (fuzz/corpus/gguf) are valid files; the fuzzer starts from them.
TEST(GgufReader, SeedCorpusParses) {
  int files = 0;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(QGEMV_SOURCE_DIR) + "/fuzz/corpus/gguf")) {
    EXPECT_NO_THROW(GgufFile::open(e.path().string())) << e.path();
    ++files;
  }
  EXPECT_GE(files, 5);
}

TEST(GgufReader, OpenNamesTheFile) {
  const auto dir = std::filesystem::temp_directory_path() / "qgemv_gguf_open_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "m.gguf").string();
  GgufWriter w;
  w.add_tensor("x", {32}, kTypeF32, std::vector<uint8_t>(128, 0));
  w.write_file(path);
  EXPECT_EQ(GgufFile::open(path).tensors().size(), 1u);
  try {
    GgufFile::open((dir / "missing.gguf").string());
    ADD_FAILURE() << "opened a missing file";
  } catch (const InputFileError& e) {
    EXPECT_NE(std::string(e.what()).find("missing.gguf: cannot open"), std::string::npos);
  }
  EXPECT_THROW(GgufFile::open(dir.string()), InputFileError);  // a directory
  std::ofstream(dir / "empty.gguf").close();
  try {
    GgufFile::open((dir / "empty.gguf").string());
    ADD_FAILURE() << "opened an empty file";
  } catch (const GgufError& e) {
    EXPECT_NE(std::string(e.what()).find("empty.gguf: not a GGUF file"), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

// Tensors are made one at a time while the file is written: each is made only after the one
// before it is in the stream, so a model never has to fit in memory.
TEST(GgufWriter, MakesEachTensorOnlyWhenItIsWritten) {
  std::ostringstream os;
  int made = 0;
  GgufWriter w;
  w.add_string("general.architecture", "llama");
  std::vector<std::vector<uint8_t>> datas;
  for (int i = 0; i < 4; ++i) datas.push_back(q4k_data(2, 256, uint64_t(i) + 1));
  for (int i = 0; i < 4; ++i)
    w.add_tensor("t" + std::to_string(i), {256, 2}, kTypeQ4K, [&, i] {
      ++made;
      if (i > 0) {  // the tensor before this one is already written, in full
        const std::string so_far = os.str();
        const auto& before = datas[size_t(i) - 1];
        EXPECT_NE(so_far.find(std::string(before.begin(), before.end())), std::string::npos)
            << "tensor " << i << " made before tensor " << i - 1 << " was written";
      }
      return datas[size_t(i)];
    });
  EXPECT_EQ(made, 0);  // adding makes nothing
  w.write(os);
  EXPECT_EQ(made, 4);
  const std::string s = os.str();
  const GgufFile f =
      GgufFile::parse({reinterpret_cast<const uint8_t*>(s.data()), s.size()}, "streamed.gguf");
  ASSERT_EQ(f.tensors().size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    const auto d = f.data(f.tensors()[i]);
    EXPECT_TRUE(std::equal(d.begin(), d.end(), datas[i].begin(), datas[i].end())) << i;
  }
  GgufWriter wrong;
  wrong.add_tensor("short", {256, 2}, kTypeQ4K, [] { return std::vector<uint8_t>(10); });
  std::ostringstream sink;
  EXPECT_THROW(wrong.write(sink), std::invalid_argument);
}

// The writer writes only what qgemv reads.
TEST(GgufWriter, RefusesVersionsAndAlignmentsTheReaderRefuses) {
  for (uint32_t v : {0u, 1u, 4u}) EXPECT_THROW(GgufWriter(v, 32), std::invalid_argument) << v;
  for (uint32_t a : {0u, 3u, 48u, 100u}) EXPECT_THROW(GgufWriter(3, a), std::invalid_argument) << a;
  for (uint32_t a : {1u, 2u, 64u, 65536u}) EXPECT_NO_THROW(GgufWriter(2, a)) << a;
}

}  // namespace
}  // namespace qgemv::gguf
