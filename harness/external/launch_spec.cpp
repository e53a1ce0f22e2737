#include "harness/external/launch_spec.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>
#include <utility>

#include "harness/io/read_whole_file.h"

namespace qgemv {
namespace {

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r"), b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

// Recursive descent over + - * / % ( ) and cdiv/min/max calls; 64-bit integers.
class Formula {
 public:
  Formula(const std::string& text, int64_t n, int64_t k) : s_(text), n_(n), k_(k) {}
  int64_t value() {
    const int64_t v = sum();
    skip();
    if (i_ != s_.size()) fail("unexpected '" + s_.substr(i_, 1) + "'");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    // A formula long enough to be refused for its depth is too long to repeat whole.
    const std::string shown = s_.size() <= 80 ? s_ : s_.substr(0, 60) + "...";
    throw LaunchSpecError("formula '" + shown + "': " + why);
  }
  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool eat(char c) {
    skip();
    if (i_ < s_.size() && s_[i_] == c) return ++i_, true;
    return false;
  }
  int64_t divide(int64_t a, int64_t b, char op) const {
    if (b == 0) fail("division by zero");
    if (a == INT64_MIN && b == -1) fail("overflows 64 bits");
    return op == '/' ? a / b : a % b;
  }
  // Checked, so that a formula too large for any launch is an error and never undefined.
  int64_t arith(char op, int64_t a, int64_t b) const {
    int64_t r = 0;
    const bool over = op == '+'   ? __builtin_add_overflow(a, b, &r)
                      : op == '-' ? __builtin_sub_overflow(a, b, &r)
                                  : __builtin_mul_overflow(a, b, &r);
    if (over) fail("overflows 64 bits");
    return r;
  }
  int64_t sum() {
    int64_t v = product();
    for (;;) {
      if (eat('+'))
        v = arith('+', v, product());
      else if (eat('-'))
        v = arith('-', v, product());
      else
        return v;
    }
  }
  int64_t product() {
    int64_t v = atom();
    for (;;) {
      if (eat('*'))
        v = arith('*', v, atom());
      else if (eat('/'))
        v = divide(v, atom(), '/');
      else if (eat('%'))
        v = divide(v, atom(), '%');
      else
        return v;
    }
  }
  // Every nesting (parentheses, a call, a unary minus) passes through here once per level.
  int64_t atom() {
    if (depth_ == kMaxFormulaDepth)
      fail("nested more than " + std::to_string(kMaxFormulaDepth) + " levels deep");
    ++depth_;
    const int64_t v = operand();
    --depth_;
    return v;
  }
  int64_t operand() {
    skip();
    if (eat('(')) {
      const int64_t v = sum();
      if (!eat(')')) fail("missing ')'");
      return v;
    }
    if (eat('-')) return arith('-', 0, atom());
    if (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) {
      int64_t v = 0;
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) {
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, s_[i_++] - '0', &v))
          fail("number too large");
      }
      return v;
    }
    std::string word;
    while (i_ < s_.size() && (std::isalpha(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_'))
      word += s_[i_++];
    if (word == "n") return n_;
    if (word == "k") return k_;
    if (word == "cdiv" || word == "min" || word == "max") {
      if (!eat('(')) fail("'" + word + "' needs '('");
      const int64_t a = sum();
      if (!eat(',')) fail("'" + word + "' takes two arguments");
      const int64_t b = sum();
      if (!eat(')')) fail("missing ')'");
      if (word == "min") return std::min(a, b);
      if (word == "max") return std::max(a, b);
      if (b <= 0) fail("cdiv by a non-positive number");
      return a / b + (a % b > 0);
    }
    fail(word.empty() ? "expected a number, n, k, or '('" : "unknown name '" + word + "'");
  }

  std::string s_;
  size_t i_ = 0;
  int depth_ = 0;
  int64_t n_, k_;
};

int64_t parse_int(const std::string& key, const std::string& v, int64_t lo, int64_t hi) {
  int64_t x = 0;
  size_t used = 0;
  try {
    x = std::stoll(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size() || x < lo || x > hi)
    throw LaunchSpecError(key + "=" + v + ": expects an integer from " + std::to_string(lo) +
                          " to " + std::to_string(hi));
  return x;
}

// One key=value entry and where it was written ("spec.txt:3: " in a file, "" inline).
struct Entry {
  std::string text, where;
};

// Larger than any spec; a device such as /dev/zero is not read until memory runs out.
constexpr size_t kMaxSpecFileBytes = 1 << 20;

std::vector<Entry> entries(const std::string& text) {
  if (text.empty()) throw LaunchSpecError("empty; expects key=value entries or a spec file");
  const bool file = launch_spec_names_file(text);
  std::string body = text;
  if (file) {
    try {
      body = read_whole_file(text, kMaxSpecFileBytes);
    } catch (const std::runtime_error& e) {
      throw LaunchSpecError(std::string(e.what()) +
                            (text.find('=') == std::string::npos
                                 ? " (an inline spec is key=value entries separated by ';')"
                                 : ""));
    }
    if (body.size() > kMaxSpecFileBytes)
      throw LaunchSpecError(text + ": larger than " + std::to_string(kMaxSpecFileBytes) +
                            " bytes; not a spec file");
  }
  std::vector<Entry> out;
  std::istringstream lines(body);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (const size_t hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream items(line);
    std::string item;
    while (std::getline(items, item, ';')) {
      item = trim(item);
      if (!item.empty())
        out.push_back({item, file ? text + ":" + std::to_string(number) + ": " : std::string()});
    }
  }
  if (out.empty()) throw LaunchSpecError(text + ": holds no key=value entries");
  return out;
}

constexpr std::pair<const char*, Activation> kInputs[] = {{"f32", Activation::kF32},
                                                          {"q8_1", Activation::kQ8_1}};
constexpr std::pair<const char*, Arithmetic> kArithmetics[] = {
    {"f32", Arithmetic::kF32},
    {"q8_1", Arithmetic::kQ8_1},
    {"q8_1_in_kernel", Arithmetic::kQ8_1InKernel}};

// The value's enumerator from a table of names, or a LaunchSpecError listing the names.
template <typename T, size_t N>
T parse_named(const std::string& key, const std::string& v,
              const std::pair<const char*, T> (&names)[N]) {
  std::string all;
  for (size_t i = 0; i < N; ++i) {
    if (v == names[i].first) return names[i].second;
    all += std::string(i == 0 ? "" : i + 1 == N ? " or " : ", ") + names[i].first;
  }
  throw LaunchSpecError(key + "=" + v + ": expects " + all);
}

template <typename T, size_t N>
const char* name_of(T value, const std::pair<const char*, T> (&names)[N]) {
  for (const auto& [name, v] : names)
    if (v == value) return name;
  return "?";
}

std::vector<std::string> parse_compile_options(const std::string& v) {
  std::vector<std::string> out;
  std::istringstream is(v);
  std::string opt;
  while (is >> opt) {
    if (opt.size() <= 2 || (opt.rfind("-D", 0) != 0 && opt.rfind("-I", 0) != 0))
      throw LaunchSpecError("compile_options: '" + opt +
                            "': expects -DNAME, -DNAME=VALUE or -IDIR (no space after -D or -I)");
    out.push_back(opt);
  }
  if (out.empty()) throw LaunchSpecError("compile_options=: expects -D or -I options");
  return out;
}

}  // namespace

const char* param_name(KernelParam p) {
  switch (p) {
    case KernelParam::kWeights:
      return "w";
    case KernelParam::kInput:
      return "x";
    case KernelParam::kOutput:
      return "y";
    case KernelParam::kN:
      return "n";
    case KernelParam::kK:
      return "k";
    case KernelParam::kStatus:
      return "status";
  }
  return "?";
}

int64_t eval_formula(const std::string& formula, int64_t n, int64_t k) {
  return Formula(formula, n, k).value();
}

bool launch_spec_names_file(const std::string& text) {
  struct stat st {};
  return ::stat(text.c_str(), &st) == 0 || text.find('=') == std::string::npos;
}

namespace {

// One entry's value into `s`.
void parse_entry(const std::string& key, const std::string& v, LaunchSpec& s) {
  if (key == "input") {
    s.input = parse_named(key, v, kInputs);
  } else if (key == "threads") {
    s.threads = int(parse_int(key, v, 1, 1024));
  } else if (key == "rows_per_cta") {
    s.grid = "cdiv(n," + std::to_string(parse_int(key, v, 1, 1 << 20)) + ")";
  } else if (key == "grid") {
    eval_formula(v, 4096, 4096);  // a syntax error is found now, not at the first launch
    s.grid = v;
  } else if (key == "shared") {
    eval_formula(v, 4096, 4096);
    s.shared = v;
  } else if (key == "params") {
    std::istringstream is(v);
    std::string p;
    while (std::getline(is, p, ',')) {
      p = trim(p);
      const KernelParam all[] = {KernelParam::kWeights, KernelParam::kInput, KernelParam::kOutput,
                                 KernelParam::kN,       KernelParam::kK,     KernelParam::kStatus};
      const auto it = std::find_if(std::begin(all), std::end(all),
                                   [&](KernelParam q) { return p == param_name(q); });
      if (it == std::end(all))
        throw LaunchSpecError("params: unknown parameter '" + p + "' (w, x, y, n, k, status)");
      if (std::count(s.params.begin(), s.params.end(), *it))
        throw LaunchSpecError("params: '" + p + "' given twice");
      s.params.push_back(*it);
    }
  } else if (key == "name") {
    if (v.empty() || v.find_first_of(",/ \t") != std::string::npos)
      throw LaunchSpecError("name=" + v + ": expects a word without ',', '/' or spaces");
    s.name = v;
  } else if (key == "rounding") {
    s.rounding_extra = parse_int(key, v, 0, 1 << 30);
  } else if (key == "arithmetic") {
    s.arithmetic = parse_named(key, v, kArithmetics);
  } else if (key == "dependent_launch") {
    s.dependent_launch = parse_int(key, v, 0, 1) == 1;
  } else if (key == "compile_options") {
    s.compile_options = parse_compile_options(v);
  } else {
    throw LaunchSpecError("unknown entry '" + key +
                          "' (input, threads, rows_per_cta, grid, shared, params, name, "
                          "arithmetic, rounding, dependent_launch, compile_options)");
  }
}

// A key already given, and the entry that gave it.
struct Given {
  std::string key, text;
};

// What no single entry decides: required keys, and defaults that follow from other keys.
void complete(LaunchSpec& s, const std::map<std::string, Given>& given) {
  if (!given.count("input")) throw LaunchSpecError("missing input=f32|q8_1");
  if (s.threads == 0) throw LaunchSpecError("missing threads=N");
  if (s.grid.empty()) throw LaunchSpecError("missing rows_per_cta=R or grid=FORMULA");
  if (!given.count("params")) throw LaunchSpecError("missing params=... (for example w,x,y,n,k)");
  for (KernelParam p : {KernelParam::kWeights, KernelParam::kInput, KernelParam::kOutput})
    if (!std::count(s.params.begin(), s.params.end(), p))
      throw LaunchSpecError(std::string("params: '") + param_name(p) + "' is missing");
  if (!given.count("arithmetic"))
    s.arithmetic = s.input == Activation::kF32 ? Arithmetic::kF32 : Arithmetic::kQ8_1;
  // The budget follows the arithmetic, not the input: a kernel that quantizes f32 input itself
  // rounds like the Q8_1 kernels (dp4a's budget is 16).
  if (!given.count("rounding")) s.rounding_extra = s.arithmetic == Arithmetic::kF32 ? 32 : 16;
  if (s.input == Activation::kQ8_1 && s.arithmetic != Arithmetic::kQ8_1)
    throw LaunchSpecError("arithmetic: a kernel on q8_1 input is checked as q8_1");
}

}  // namespace

LaunchSpec parse_launch_spec(const std::string& text) {
  LaunchSpec s;
  // Each key once: a repeated key is a mistake whichever value was meant. rows_per_cta and grid
  // both give the grid.
  std::map<std::string, Given> given;  // by key, with grid for rows_per_cta
  const std::vector<Entry> all = entries(text);
  for (const Entry& e : all) {
    try {
      const size_t eq = e.text.find('=');
      if (eq == std::string::npos) throw LaunchSpecError("'" + e.text + "': expects key=value");
      const std::string key = trim(e.text.substr(0, eq)), v = trim(e.text.substr(eq + 1));
      const std::string slot = key == "rows_per_cta" ? "grid" : key;
      if (const auto first = given.find(slot); first != given.end())
        throw LaunchSpecError("'" + e.text + "': " + (first->second.key == key ? key : "the grid") +
                              " was already given by '" + first->second.text +
                              "'; each key may be given once");
      parse_entry(key, v, s);
      given.emplace(slot, Given{key, e.text});
    } catch (const LaunchSpecError& err) {
      throw LaunchSpecError(e.where + err.what());
    }
  }
  try {
    complete(s, given);
  } catch (const LaunchSpecError& err) {
    throw LaunchSpecError((all.front().where.empty() ? "" : text + ": ") + err.what());
  }
  return s;
}

std::string format_launch_spec(const LaunchSpec& s) {
  std::string params, options;
  for (KernelParam p : s.params) params += std::string(params.empty() ? "" : ",") + param_name(p);
  for (const std::string& o : s.compile_options) options += (options.empty() ? "" : " ") + o;
  return std::string("input=") + name_of(s.input, kInputs) +
         ";arithmetic=" + name_of(s.arithmetic, kArithmetics) +
         ";threads=" + std::to_string(s.threads) + ";grid=" + s.grid + ";shared=" + s.shared +
         ";params=" + params + ";rounding=" + std::to_string(s.rounding_extra) +
         ";dependent_launch=" + (s.dependent_launch ? "1" : "0") +
         (s.name.empty() ? "" : ";name=" + s.name) +
         (options.empty() ? "" : ";compile_options=" + options);
}

}  // namespace qgemv
