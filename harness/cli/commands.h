#pragma once
// The qgemv subcommands; each returns a process exit code (harness/cli/args.h).
namespace qgemv::cli {

int run_info(int argc, char** argv);
int run_compare(int argc, char** argv);
int run_gemv(int argc, char** argv);
int run_verify(int argc, char** argv);
int run_bench(int argc, char** argv);
int run_explain(int argc, char** argv);
int run_merge(int argc, char** argv);
int run_mutate(int argc, char** argv);
int run_profile(int argc, char** argv);
int run_gguf(int argc, char** argv);

}  // namespace qgemv::cli
