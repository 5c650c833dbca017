#pragma once
// The built netpowerctl against a test's HTTP server: the arguments, then `--manager` for `port`
// (none when 0), in an environment without the caller's NETPOWER_* settings, with NETPOWER_TOKEN
// set to `token` (unset when empty), then the test's own `env` changes.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace netpower::testing {

inline CommandResult run_netpowerctl(std::vector<std::string> args, std::uint16_t port,
                                     const std::string& token, const EnvChanges& env = {}) {
  std::vector<std::string> argv = {NETPOWER_NETPOWERCTL_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  if (port != 0) {
    argv.push_back("--manager");
    argv.push_back("http://127.0.0.1:" + std::to_string(port));
  }
  EnvChanges changes = {"NETPOWER_MANAGER", "NETPOWER_TOKEN_FILE",
                        token.empty() ? std::string("NETPOWER_TOKEN") : "NETPOWER_TOKEN=" + token};
  changes.insert(changes.end(), env.begin(), env.end());
  return run_command(argv, std::chrono::seconds(30), changes);
}

}  // namespace netpower::testing
