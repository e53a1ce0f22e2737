#include "harness/external/launch_spec.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

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
    throw LaunchSpecError("formula '" + s_ + "': " + why);
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
  int64_t atom() {
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

std::vector<std::string> entries(const std::string& text) {
  struct stat st {};
  std::string body = text;
  char sep = ';';
  if (::stat(text.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) throw LaunchSpecError(text + ": not a regular file");
    std::ifstream in(text);
    std::ostringstream os;
    os << in.rdbuf();
    if (!in && !in.eof()) throw LaunchSpecError(text + ": cannot read");
    body = os.str();
    sep = '\n';
  }
  std::vector<std::string> out;
  std::string cur;
  std::istringstream is(body);
  while (std::getline(is, cur, sep)) {
    if (const size_t hash = cur.find('#'); hash != std::string::npos) cur.erase(hash);
    cur = trim(cur);
    if (!cur.empty()) out.push_back(cur);
  }
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

LaunchSpec parse_launch_spec(const std::string& text) {
  LaunchSpec s;
  bool have_input = false, have_rounding = false, have_params = false, have_arithmetic = false;
  for (const std::string& e : entries(text)) {
    const size_t eq = e.find('=');
    if (eq == std::string::npos) throw LaunchSpecError("'" + e + "': expects key=value");
    const std::string key = trim(e.substr(0, eq)), v = trim(e.substr(eq + 1));
    if (key == "input") {
      if (v == "f32")
        s.input = Activation::kF32;
      else if (v == "q8_1")
        s.input = Activation::kQ8_1;
      else
        throw LaunchSpecError("input=" + v + ": expects f32 or q8_1");
      have_input = true;
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
        const KernelParam all[] = {KernelParam::kWeights, KernelParam::kInput,
                                   KernelParam::kOutput,  KernelParam::kN,
                                   KernelParam::kK,       KernelParam::kStatus};
        const auto it = std::find_if(std::begin(all), std::end(all),
                                     [&](KernelParam q) { return p == param_name(q); });
        if (it == std::end(all))
          throw LaunchSpecError("params: unknown parameter '" + p + "' (w, x, y, n, k, status)");
        if (std::count(s.params.begin(), s.params.end(), *it))
          throw LaunchSpecError("params: '" + p + "' given twice");
        s.params.push_back(*it);
      }
      have_params = true;
    } else if (key == "name") {
      if (v.empty() || v.find_first_of(",/ \t") != std::string::npos)
        throw LaunchSpecError("name=" + v + ": expects a word without ',', '/' or spaces");
      s.name = v;
    } else if (key == "rounding") {
      s.rounding_extra = parse_int(key, v, 0, 1 << 30);
      have_rounding = true;
    } else if (key == "arithmetic") {
      if (v == "f32")
        s.arithmetic = Arithmetic::kF32;
      else if (v == "q8_1")
        s.arithmetic = Arithmetic::kQ8_1;
      else if (v == "q8_1_in_kernel")
        s.arithmetic = Arithmetic::kQ8_1InKernel;
      else
        throw LaunchSpecError("arithmetic=" + v + ": expects f32, q8_1 or q8_1_in_kernel");
      have_arithmetic = true;
    } else if (key == "dependent_launch") {
      s.dependent_launch = parse_int(key, v, 0, 1) == 1;
    } else {
      throw LaunchSpecError("unknown entry '" + key +
                            "' (input, threads, rows_per_cta, grid, shared, params, name, "
                            "arithmetic, rounding, dependent_launch)");
    }
  }
  if (!have_input) throw LaunchSpecError("missing input=f32|q8_1");
  if (s.threads == 0) throw LaunchSpecError("missing threads=N");
  if (s.grid.empty()) throw LaunchSpecError("missing rows_per_cta=R or grid=FORMULA");
  if (!have_params) throw LaunchSpecError("missing params=... (for example w,x,y,n,k)");
  for (KernelParam p : {KernelParam::kWeights, KernelParam::kInput, KernelParam::kOutput})
    if (!std::count(s.params.begin(), s.params.end(), p))
      throw LaunchSpecError(std::string("params: '") + param_name(p) + "' is missing");
  if (!have_arithmetic)
    s.arithmetic = s.input == Activation::kF32 ? Arithmetic::kF32 : Arithmetic::kQ8_1;
  // The budget follows the arithmetic, not the input: a kernel that quantizes f32 input itself
  // rounds like the Q8_1 kernels (dp4a's budget is 16).
  if (!have_rounding) s.rounding_extra = s.arithmetic == Arithmetic::kF32 ? 32 : 16;
  if (s.input == Activation::kQ8_1 && s.arithmetic != Arithmetic::kQ8_1)
    throw LaunchSpecError("arithmetic: a kernel on q8_1 input is checked as q8_1");
  return s;
}

}  // namespace qgemv
