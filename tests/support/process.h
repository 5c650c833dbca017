// Child processes for integration tests: long-running servers (Process) and short commands
// (run_command). Both put the child in its own process group so that cleanup reaches its children.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace netpower::testing {

// How a child ended.
struct ExitStatus {
  int code = -1;   // exit(3) status when the child exited, -1 when a signal ended it
  int signal = 0;  // the signal that ended it, 0 when it exited

  bool exited() const { return signal == 0; }
  bool success() const { return signal == 0 && code == 0; }
  // "exit 3" or "signal 9 (Killed)".
  std::string describe() const;
};

// Environment changes for a child, applied on top of this process's environment in order:
// "NAME=value" sets (or overrides) NAME, "NAME" alone removes it.
using EnvChanges = std::vector<std::string>;

// A spawned program that runs until it exits or is stopped. Not thread-safe; one owner.
//
// The child gets stdin from /dev/null, stdout and stderr appended to `log_path`, signal mask and
// SIGPIPE/SIGTERM/... dispositions reset, and a new process group whose id is its pid. signal(),
// terminate() and kill9() address that whole group; when the leader is reaped, the rest of its
// group is SIGKILLed so that nothing a test started outlives it. The destructor terminates the
// child (SIGTERM, then SIGKILL after 5 s).
class Process {
 public:
  // Starts argv[0] (searched in PATH when it has no '/'). Throws std::system_error when the program
  // cannot be executed or the log file cannot be opened.
  Process(std::vector<std::string> argv, std::filesystem::path log_path, EnvChanges env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  const std::vector<std::string>& argv() const { return argv_; }
  const std::filesystem::path& log_path() const { return log_path_; }

  // True until the child has exited; reaps it (and sweeps its group) as soon as it has.
  bool running();
  // Sends `signo` to the child's process group; false if the child was already reaped.
  bool signal(int signo);
  // Waits up to `timeout` for the child to exit; its status, or nullopt if it still runs.
  std::optional<ExitStatus> wait_exit(std::chrono::milliseconds timeout);
  // SIGTERM (plus SIGCONT, in case a test stopped it), then SIGKILL once `timeout` has passed;
  // reaps.
  ExitStatus terminate(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // SIGKILL to the group and reap: the "crash" a test inflicts on a server.
  ExitStatus kill9();
  // The status once reaped.
  const std::optional<ExitStatus>& exit_status() const { return status_; }

  // Everything the child wrote to stdout/stderr so far (the log file's content).
  std::string log_text() const;

 private:
  void reap();

  std::vector<std::string> argv_;
  std::filesystem::path log_path_;
  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
};

using ProcessPtr = std::unique_ptr<Process>;

// What a short command did.
struct CommandResult {
  ExitStatus status;
  bool timed_out = false;  // the command was killed at the hard timeout
  std::string out;         // its stdout
  std::string err;         // its stderr

  int exit_code() const { return status.code; }
  // Command line, status and both streams, for a test's failure message.
  std::string describe(const std::vector<std::string>& argv) const;
};

// Runs a short command to completion with stdout and stderr captured separately (pipes drained with
// poll(2), so large outputs never deadlock). At `timeout` the command's process group is SIGKILLed
// and `timed_out` set; the call returns shortly after, even if a grandchild keeps the pipes open.
// Throws std::system_error when the program cannot be executed.
CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const EnvChanges& env = {});

// Reads a whole file; empty if it does not exist.
std::string read_file(const std::filesystem::path& path);

}  // namespace netpower::testing
