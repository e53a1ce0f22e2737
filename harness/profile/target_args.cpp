#include "harness/profile/target_args.h"

namespace qgemv::profile {

std::vector<std::string> target_argv(const TargetRequest& r) {
  std::vector<std::string> a = {r.executable, "profile", "--target", r.suite,
                                "--manifest", r.dir,     "--device", std::to_string(r.device)};
  if (r.suite == "probes") return a;
  if (r.preset) a.insert(a.end(), {"--preset", *r.preset});
  if (r.gguf) a.insert(a.end(), {"--gguf", *r.gguf});
  a.insert(a.end(), {"--path", r.path, "--seed", std::to_string(r.seed)});
  return a;
}

}  // namespace qgemv::profile
