#pragma once
namespace qgemv {

// Filled in at build time (harness/cli/build_info.cpp.in).
extern const char* const kVersion;  // the project's version (CMakeLists.txt)
extern const char* const kGitRevision;
extern const char* const kBuildType;
extern const char* const kCudaArchitectures;
extern const char* const kCompiler;

}  // namespace qgemv
