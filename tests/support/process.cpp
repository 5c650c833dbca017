#include "tests/support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "tests/support/wait.h"

extern char** environ;

namespace netpower::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Signals whose "ignored" disposition would survive exec and surprise the child.
constexpr std::array kResetSignals = {SIGPIPE, SIGTERM, SIGINT,  SIGHUP, SIGQUIT,
                                      SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM};

std::system_error errno_error(int error, const std::string& what) {
  return std::system_error(error, std::generic_category(), what);
}

ExitStatus from_wait_status(int wait_status) {
  ExitStatus status;
  if (WIFEXITED(wait_status)) {
    status.code = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    status.signal = WTERMSIG(wait_status);
  }
  return status;
}

std::vector<std::string> build_environment(const EnvChanges& changes) {
  std::vector<std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    env.emplace_back(*entry);
  }
  for (const std::string& change : changes) {
    const auto eq = change.find('=');
    const std::string name = change.substr(0, eq) + "=";
    std::erase_if(env, [&](const std::string& entry) { return entry.starts_with(name); });
    if (eq != std::string::npos) {
      env.push_back(change);
    }
  }
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& s : strings) {
    pointers.push_back(s.data());
  }
  pointers.push_back(nullptr);
  return pointers;
}

// posix_spawn attributes and file actions, released on scope exit.
class SpawnSetup {
 public:
  SpawnSetup() {
    ::posix_spawn_file_actions_init(&actions_);
    ::posix_spawnattr_init(&attr_);
    sigset_t empty;
    sigemptyset(&empty);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int signo : kResetSignals) {
      sigaddset(&defaults, signo);
    }
    ::posix_spawnattr_setsigmask(&attr_, &empty);
    ::posix_spawnattr_setsigdefault(&attr_, &defaults);
    ::posix_spawnattr_setpgroup(&attr_, 0);
    ::posix_spawnattr_setflags(
        &attr_, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    ::posix_spawn_file_actions_addopen(&actions_, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  ~SpawnSetup() {
    ::posix_spawn_file_actions_destroy(&actions_);
    ::posix_spawnattr_destroy(&attr_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  posix_spawn_file_actions_t* actions() { return &actions_; }

  // Returns the child's pid; throws when it could not be executed (glibc reports exec errors).
  pid_t spawn(std::vector<std::string> argv, const EnvChanges& changes) {
    if (argv.empty()) {
      throw std::invalid_argument("spawn: empty argv");
    }
    std::vector<std::string> env = build_environment(changes);
    std::vector<char*> c_argv = c_strings(argv);
    std::vector<char*> c_env = c_strings(env);
    pid_t pid = -1;
    const int error =
        ::posix_spawnp(&pid, c_argv[0], &actions_, &attr_, c_argv.data(), c_env.data());
    if (error != 0) {
      throw errno_error(error, "cannot start " + argv[0]);
    }
    return pid;
  }

 private:
  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attr_;
};

// True once `pid` has exited; leaves it a zombie so that its process group id stays reserved.
bool has_exited(pid_t pid) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return errno == ECHILD;
  }
  return info.si_pid == pid;
}

ExitStatus reap_blocking(pid_t pid) {
  int wait_status = 0;
  while (::waitpid(pid, &wait_status, 0) < 0) {
    if (errno != EINTR) {
      return ExitStatus{};  // reaped elsewhere (SIGCHLD ignored): status unknown
    }
  }
  return from_wait_status(wait_status);
}

std::string quote_argv(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& arg : argv) {
    if (!line.empty()) {
      line += ' ';
    }
    const bool plain = !arg.empty() && arg.find_first_of(" \t\n'\"\\$") == std::string::npos;
    line += plain ? arg : "'" + arg + "'";
  }
  return line;
}

}  // namespace

std::string ExitStatus::describe() const {
  if (signal != 0) {
    return "signal " + std::to_string(signal) + " (" + ::strsignal(signal) + ")";
  }
  return "exit " + std::to_string(code);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

Process::Process(std::vector<std::string> argv, std::filesystem::path log_path, EnvChanges env)
    : argv_(std::move(argv)), log_path_(std::move(log_path)) {
  SpawnSetup setup;
  const std::string log = log_path_.string();
  ::posix_spawn_file_actions_addopen(setup.actions(), STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
  ::posix_spawn_file_actions_adddup2(setup.actions(), STDOUT_FILENO, STDERR_FILENO);
  pid_ = setup.spawn(argv_, env);
}

Process::~Process() {
  try {
    terminate();
  } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw
  }
}

void Process::reap() {
  // The leader is a zombie here, so its group id cannot have been reused: sweep what it left
  // behind.
  ::kill(-pid_, SIGKILL);
  status_ = reap_blocking(pid_);
}

bool Process::running() {
  if (status_) {
    return false;
  }
  if (!has_exited(pid_)) {
    return true;
  }
  reap();
  return false;
}

bool Process::signal(int signo) {
  if (status_) {
    return false;
  }
  return ::kill(-pid_, signo) == 0;
}

std::optional<ExitStatus> Process::wait_exit(std::chrono::milliseconds timeout) {
  wait_until([this] { return !running(); }, timeout, std::chrono::milliseconds(5));
  return status_;
}

ExitStatus Process::terminate(std::chrono::milliseconds timeout) {
  if (status_) {
    return *status_;
  }
  // SIGCONT first, for a child a test stopped: sent after SIGTERM it can wake a sanitizer-built
  // child in the middle of LeakSanitizer's exit check and hang it.
  signal(SIGCONT);
  signal(SIGTERM);
  if (auto status = wait_exit(timeout)) {
    return *status;
  }
  return kill9();
}

ExitStatus Process::kill9() {
  if (status_) {
    return *status_;
  }
  ::kill(-pid_, SIGKILL);
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) != 0 &&
         errno == EINTR) {
  }
  reap();
  return *status_;
}

std::string Process::log_text() const { return read_file(log_path_); }

std::string CommandResult::describe(const std::vector<std::string>& argv) const {
  std::ostringstream text;
  text << "command: " << quote_argv(argv) << "\n"
       << "status: " << (timed_out ? "timed out, " : "") << status.describe() << "\n"
       << "stdout:\n"
       << out << (out.empty() || out.back() == '\n' ? "" : "\n") << "stderr:\n"
       << err << (err.empty() || err.back() == '\n' ? "" : "\n");
  return text.str();
}

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const EnvChanges& env) {
  // How long to keep reading after the kill at the deadline: bounds the wait on a grandchild that
  // left the process group while holding our pipes.
  constexpr auto kDrainAfterKill = std::chrono::seconds(1);
  constexpr int kPollSliceMs = 20;

  std::array<int, 2> out_pipe{-1, -1};
  std::array<int, 2> err_pipe{-1, -1};
  if (::pipe2(out_pipe.data(), O_CLOEXEC) != 0) {
    throw errno_error(errno, "pipe2");
  }
  if (::pipe2(err_pipe.data(), O_CLOEXEC) != 0) {
    const int error = errno;
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw errno_error(error, "pipe2");
  }
  pid_t pid = -1;
  try {
    SpawnSetup setup;
    ::posix_spawn_file_actions_adddup2(setup.actions(), out_pipe[1], STDOUT_FILENO);
    ::posix_spawn_file_actions_adddup2(setup.actions(), err_pipe[1], STDERR_FILENO);
    pid = setup.spawn(argv, env);
  } catch (...) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) {
      ::close(fd);
    }
    throw;
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);

  CommandResult result;
  std::array<pollfd, 2> fds{pollfd{out_pipe[0], POLLIN, 0}, pollfd{err_pipe[0], POLLIN, 0}};
  std::array<std::string*, 2> sinks{&result.out, &result.err};
  for (const pollfd& p : fds) {
    ::fcntl(p.fd, F_SETFL, ::fcntl(p.fd, F_GETFL) | O_NONBLOCK);
  }

  const auto deadline = Clock::now() + timeout;
  auto give_up = Clock::time_point::max();
  bool swept = false;
  std::array<char, 65536> buffer{};
  while (true) {
    const auto now = Clock::now();
    if (!result.timed_out && now >= deadline) {
      ::kill(-pid, SIGKILL);
      result.timed_out = true;
      give_up = now + kDrainAfterKill;
    }
    if (!swept && has_exited(pid)) {
      ::kill(-pid, SIGKILL);  // background leftovers would hold the pipes open
      swept = true;
    }
    const bool pipes_open = fds[0].fd >= 0 || fds[1].fd >= 0;
    if ((swept && !pipes_open) || now >= give_up) {
      break;
    }
    // Closed pipes have fd -1, which poll(2) ignores; with both closed this just sleeps a slice.
    const int ready = ::poll(fds.data(), fds.size(), kPollSliceMs);
    if (ready < 0 && errno != EINTR) {
      break;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) {
        continue;
      }
      while (true) {
        const ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
        if (n > 0) {
          sinks[i]->append(buffer.data(), static_cast<std::size_t>(n));
          continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
          break;
        }
        ::close(fds[i].fd);  // EOF or error
        fds[i].fd = -1;
        break;
      }
    }
  }
  for (const pollfd& p : fds) {
    if (p.fd >= 0) {
      ::close(p.fd);
    }
  }
  if (!swept) {
    ::kill(-pid, SIGKILL);
  }
  result.status = reap_blocking(pid);
  return result;
}

}  // namespace netpower::testing
