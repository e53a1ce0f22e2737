#include "harness/io/junit_xml.h"

#include <sstream>

#include "harness/io/atomic_write.h"

namespace qgemv {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else if (c == '\'')
      out += "&apos;";
    else if (u < 0x20 && c != '\t' && c != '\n' && c != '\r')
      continue;
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string junit_xml(const std::string& suite, const std::vector<JunitCase>& cases) {
  int failures = 0, skipped = 0;
  double seconds = 0;
  for (const JunitCase& c : cases) {
    failures += c.outcome == JunitCase::Outcome::kFailed;
    skipped += c.outcome == JunitCase::Outcome::kSkipped;
    seconds += c.seconds;
  }
  std::ostringstream os;
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
     << "<testsuites tests=\"" << cases.size() << "\" failures=\"" << failures << "\">\n"
     << "  <testsuite name=\"" << escape(suite) << "\" tests=\"" << cases.size() << "\" failures=\""
     << failures << "\" skipped=\"" << skipped << "\" errors=\"0\" time=\"" << seconds << "\">\n";
  for (const JunitCase& c : cases) {
    os << "    <testcase classname=\"" << escape(c.classname) << "\" name=\"" << escape(c.name)
       << "\" time=\"" << c.seconds << "\"";
    if (c.outcome == JunitCase::Outcome::kPassed) {
      os << "/>\n";
      continue;
    }
    os << ">\n";
    if (c.outcome == JunitCase::Outcome::kFailed)
      os << "      <failure message=\"" << escape(c.message) << "\">" << escape(c.details)
         << "</failure>\n";
    else
      os << "      <skipped message=\"" << escape(c.message) << "\"/>\n";
    os << "    </testcase>\n";
  }
  os << "  </testsuite>\n</testsuites>\n";
  return os.str();
}

void write_junit_xml(const std::string& path, const std::string& suite,
                     const std::vector<JunitCase>& cases) {
  const std::string text = junit_xml(suite, cases);
  write_file_atomically(path, std::ios::out, [&](std::ostream& os) { os << text; });
}

}  // namespace qgemv
