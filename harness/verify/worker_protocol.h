#pragma once
// What a verification worker process and its supervisor (isolated_verify.h) say to each other:
// the worker's options as command-line words, and its events as lines on its standard output.
//   B <unit> <path> <tally> <timeout_s> <what>   a GPU step starts (unit -1: the worker's start)
//   E                                              it has finished
//   S <unit> <report so far>                       a unit finished
//   X <message>                                    the worker stops on an error
//   OK                                             a health probe passed
// Fields are separated by tabs; a field's tabs, newlines and backslashes are escaped.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/verify/verify_suite.h"

namespace qgemv::worker {

inline constexpr const char* kWorkerFlag = "--qgemv-verify-worker";
// The same executable as a health probe (health_probe.h), with the words of encode_options: the
// GPU, then the external kernels and paths libraries of the run, which it loads.
inline constexpr const char* kHealthProbeFlag = "--qgemv-health-probe";
// A probe's or a starting worker's exit status: the GPU failed the probe, or the options or a
// module of the run could not be used (a problem of the input, not of the GPU).
inline constexpr int kProbeUnhealthyExit = 6;
inline constexpr int kProbeBadInputExit = 4;
// The tally of the worker's start step (its context and modules).
inline constexpr const char* kStartTally = "worker";

// A kernel built outside qgemv, as the command line named it (--kernel, --launch).
struct ExternalSpec {
  std::string kernel;  // FILE:ENTRY
  std::string launch;  // a launch spec or its file
};

// paths_libraries: files of paths libraries (--paths-lib), loaded before the paths are named;
// opt.quantizer travels as its spec (FILE:ENTRY) and is loaded again.
std::vector<std::string> encode_options(const VerifyOptions& opt, int device,
                                        const std::vector<ExternalSpec>& externals = {},
                                        const std::vector<std::string>& paths_libraries = {});
// Loads the external kernels, paths libraries and quantizer it names (so their paths exist in the
// worker too; a library is prepared for the device). Throws std::invalid_argument on words it does
// not know, or an unknown path; PathsLibraryError on a library that cannot be used.
VerifyOptions decode_options(const std::vector<std::string>& words, int* device);

std::string escape(const std::string& s);
// Writes one event line to standard output and flushes it: whole and at once, since the
// supervisor must see a step's start before the step can hang or kill the process.
void emit(const std::vector<std::string>& fields);
std::string unescape(const std::string& s);
std::vector<std::string> split_fields(const std::string& line);  // on tabs, unescaped

std::string encode_report(const VerifyReport& r);  // tallies, accuracy and failures, one field
VerifyReport decode_report(const std::string& field);

}  // namespace qgemv::worker
