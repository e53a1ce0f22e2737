#include "harness/cubin/kernel_name.h"

#include <cxxabi.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <set>

namespace qgemv {
namespace {

// What a name is compared on, each part in canonical form (canonical()).
struct NameParts {
  std::vector<std::string> qualifiers;  // outermost first; "@anon" for an anonymous namespace
  std::string name;                     // the function's own name
  bool has_args = false;
  std::string args;  // the template arguments
  bool has_params = false;
  std::string params;
};

bool identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '@';
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

// The forms both sides agree on: namespaces and class qualifiers left out, cv-qualifiers and
// elaborated-type keywords left out, no white space ("const BlockQ4K *" and the demangler's
// "qgemv::BlockQ4K const*" both give "BlockQ4K*").
std::string canonical(std::string_view s) {
  static const std::set<std::string_view> kDropped = {"const", "volatile", "struct",
                                                      "class", "enum",     "union"};
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
    } else if (s.substr(i, 2) == "::") {
      i += 2;
    } else if (identifier_char(s[i])) {
      size_t j = i;
      while (j < s.size() && identifier_char(s[j])) ++j;
      const std::string_view word = s.substr(i, j - i);
      if (s.substr(j, 2) == "::")
        j += 2;  // a qualifier
      else if (!kDropped.contains(word))
        out += word;
      i = j;
    } else {
      out += s[i++];
    }
  }
  return out;
}

// The offset of the bracket that opens the group `s` ends with (`close` at its end), or npos.
size_t opening(std::string_view s, char open, char close) {
  int depth = 0;
  for (size_t i = s.size(); i-- > 0;) {
    if (s[i] == close) ++depth;
    if (s[i] == open && --depth == 0) return i;
  }
  return std::string_view::npos;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits `s` at `sep` where no bracket is open.
std::vector<std::string_view> top_level_split(std::string_view s, std::string_view sep) {
  std::vector<std::string_view> out;
  int depth = 0;
  size_t from = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<' || s[i] == '(') ++depth;
    if (s[i] == '>' || s[i] == ')') --depth;
    if (depth == 0 && s.substr(i, sep.size()) == sep) {
      out.push_back(s.substr(from, i - from));
      from = i + sep.size();
      i = from - 1;
    }
  }
  out.push_back(s.substr(from));
  return out;
}

NameParts parts(std::string_view printed) {
  // The anonymous namespace as the C++ demangler writes it and as ncu does, with or without
  // the '<' its raw page loses; done first, as their brackets are not the name's.
  std::string marked = replace_all(std::string(printed), "(anonymous namespace)", "@anon");
  marked = replace_all(replace_all(marked, "<unnamed>", "@anon"), "unnamed>", "@anon");
  std::string_view s = trimmed(marked);
  NameParts p;
  if (s.ends_with(')'))
    if (const size_t open = opening(s, '(', ')'); open != std::string_view::npos) {
      p.has_params = true;
      p.params = canonical(s.substr(open + 1, s.size() - open - 2));
      s = trimmed(s.substr(0, open));
    }
  // A function template's name follows its return type.
  const std::vector<std::string_view> words = top_level_split(s, " ");
  std::vector<std::string_view> path = top_level_split(words.back(), "::");
  std::string_view own = path.back();
  path.pop_back();
  for (std::string_view q : path) p.qualifiers.push_back(canonical(q));
  if (own.ends_with('>'))
    if (const size_t open = opening(own, '<', '>'); open != std::string_view::npos) {
      p.has_args = true;
      p.args = canonical(own.substr(open + 1, own.size() - open - 2));
      own = own.substr(0, open);
    }
  p.name = std::string(trimmed(own));
  return p;
}

// The printed name's namespaces end the symbol's (ncu leaves out the outer ones).
bool qualifiers_end(const std::vector<std::string>& symbol,
                    const std::vector<std::string>& printed) {
  return printed.size() <= symbol.size() &&
         std::equal(printed.rbegin(), printed.rend(), symbol.rbegin());
}

}  // namespace

std::string demangled(const std::string& symbol) {
  int status = 0;
  const std::unique_ptr<char, void (*)(void*)> d(
      abi::__cxa_demangle(symbol.c_str(), nullptr, nullptr, &status), std::free);
  return status == 0 && d ? std::string(d.get()) : symbol;
}

std::optional<std::string> match_kernel_symbol(std::string_view printed,
                                               const std::vector<std::string>& symbols) {
  const NameParts want = parts(printed);
  if (want.name.empty()) return std::nullopt;
  std::vector<std::pair<std::string, NameParts>> found;
  for (const std::string& s : std::set<std::string>(symbols.begin(), symbols.end())) {
    NameParts got = parts(demangled(s));
    if (got.name != want.name || !qualifiers_end(got.qualifiers, want.qualifiers)) continue;
    if (want.has_args && (!got.has_args || got.args != want.args)) continue;
    found.emplace_back(s, std::move(got));
  }
  if (found.size() > 1 && want.has_params)
    std::erase_if(found, [&](const auto& f) { return f.second.params != want.params; });
  if (found.size() != 1) return std::nullopt;
  return found.front().first;
}

}  // namespace qgemv
