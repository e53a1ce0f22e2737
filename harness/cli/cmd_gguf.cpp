#include <algorithm>
#include <iostream>
#include <sstream>

#include "harness/cli/args.h"
#include "harness/cli/commands.h"
#include "harness/gguf/ggml_type.h"
#include "harness/gguf/gguf_file.h"
#include "harness/gguf/llama_tensors.h"
#include "harness/io/csv_cell.h"

namespace qgemv::cli {
namespace {

constexpr const char* kHelp =
    R"(usage: qgemv gguf FILE [--format text|csv]
Lists a GGUF file's tensors in file order: name, type, shape (ne[0] first: a row's length,
then the rows), offset (bytes from the start of the file) and bytes. The names are those that
gemv and verify take for a tensor. No GPU needed.
--format text (default: a header line, then aligned columns) or csv (a header row
name,type,shape,offset,bytes; the shape as 1536x256).
Exit 0 listed, 2 usage, 4 an unreadable or malformed file.
Reference: docs/gguf.md
)";

void print_text(const gguf::GgufFile& f, std::ostream& os) {
  os << f.label() << ": GGUF v" << f.version() << ", " << f.tensors().size() << " tensors, "
     << f.metadata().size() << " metadata keys, alignment " << f.alignment()
     << ", tensor data from byte " << f.data_offset() << "\n";
  struct Row {
    std::string name, type, shape, offset, bytes;
  };
  std::vector<Row> rows = {{"name", "type", "shape", "offset", "bytes"}};
  for (const gguf::TensorInfo& t : f.tensors())
    rows.push_back({t.name, gguf::ggml_type_name(t.type), gguf::shape_text(t),
                    std::to_string(f.data_offset() + t.offset), std::to_string(t.bytes)});
  size_t name = 0, type = 0, shape = 0, offset = 0;
  for (const Row& r : rows) {
    name = std::max(name, r.name.size());
    type = std::max(type, r.type.size());
    shape = std::max(shape, r.shape.size());
    offset = std::max(offset, r.offset.size());
  }
  // Names and shapes left-aligned, numbers right-aligned.
  auto pad = [](const std::string& s, size_t w, bool right) {
    const std::string fill(w - s.size(), ' ');
    return right ? fill + s : s + fill;
  };
  for (const Row& r : rows)
    os << pad(r.name, name, false) << "  " << pad(r.type, type, false) << "  "
       << pad(r.shape, shape, false) << "  " << pad(r.offset, offset, true) << "  " << r.bytes
       << "\n";
}

void print_csv(const gguf::GgufFile& f, std::ostream& os) {
  os << "name,type,shape,offset,bytes\n";
  for (const gguf::TensorInfo& t : f.tensors())
    os << csv_cell(t.name) << "," << gguf::ggml_type_name(t.type) << "," << gguf::shape_text(t, "x")
       << "," << f.data_offset() + t.offset << "," << t.bytes << "\n";
}

}  // namespace

int run_gguf(int argc, char** argv) {
  const Args args(argc, argv, 2, {"format"}, {"help"}, 1);
  if (args.has("help")) {
    std::cout << kHelp;
    return kExitOk;
  }
  if (args.positional().empty()) throw UsageError("expected a GGUF file");
  const std::string format = args.get("format").value_or("text");
  if (format != "text" && format != "csv") throw UsageError("--format must be text or csv");
  const gguf::GgufFile f = gguf::GgufFile::open(args.positional().front());
  std::ostringstream out;
  (format == "csv" ? print_csv : print_text)(f, out);
  std::cout << out.str();
  return kExitOk;
}

}  // namespace qgemv::cli
