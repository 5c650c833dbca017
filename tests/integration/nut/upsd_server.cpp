#include "tests/integration/nut/upsd_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/ports.h"
#include "tests/support/wait.h"

namespace netpower::testing {

const std::map<std::string, std::string> kDefaultUpsdVars = {
    {"ups.mfr", "netpower"},     {"ups.model", "Dummy 1500"}, {"ups.status", "OL"},
    {"ups.load", "23"},          {"battery.charge", "100"},   {"battery.runtime", "3600"},
    {"battery.voltage", "27.1"}, {"input.voltage", "230.0"},  {"input.frequency", "50.0"},
    {"output.voltage", "230.0"},
};

namespace {

using namespace std::chrono_literals;

constexpr int kPortAttempts = 3;

void write_file(const std::filesystem::path& path, const std::string& text, mode_t mode = 0600) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("UpsdServer: cannot write " + path.string());
  std::filesystem::permissions(path, static_cast<std::filesystem::perms>(mode));
}

// NUT config values and .dev values: no line breaks, no '#' (parseconf's comment), no quotes.
void check_value(const std::string& what, const std::string& value) {
  if (value.find_first_of("\n\r#\"\\") != std::string::npos) {
    throw std::invalid_argument("UpsdServer: " + what + " '" + value +
                                "' contains a line break, '#', a quote or a backslash");
  }
}

// Counts complete replies in `text`: a single line, or BEGIN LIST ... END LIST.
std::size_t complete_replies(const std::string& text) {
  std::size_t replies = 0;
  bool in_list = false;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (lines.eof()) break;  // no '\n' yet: incomplete
    if (in_list) {
      if (line.rfind("END LIST", 0) == 0) {
        in_list = false;
        ++replies;
      }
    } else if (line.rfind("BEGIN LIST", 0) == 0) {
      in_list = true;
    } else {
      ++replies;
    }
  }
  return replies;
}

}  // namespace

UpsdServer::UpsdServer(UpsdOptions options) : options_(std::move(options)) {
  vars_ = options_.vars.empty() ? kDefaultUpsdVars : options_.vars;
  check_value("user", options_.user);
  check_value("password", options_.password);
  for (const auto& [name, value] : vars_) check_value(name, value);
  port_ = options_.port;
}

UpsdServer::~UpsdServer() {
  // upsd first, so that it does not log the drivers going away.
  for (auto* process : {&upsd_, &clone_, &driver_}) {
    if (*process) (*process)->terminate(5s);
  }
}

std::vector<std::string> UpsdServer::privilege_args() const {
  if (::geteuid() == 0) return {"-u", "root"};
  return {};
}

EnvChanges UpsdServer::env() const {
  auto dir = dir_.path().string();
  return {"NUT_CONFPATH=" + dir, "NUT_STATEPATH=" + dir, "NUT_ALTPIDPATH=" + dir};
}

ProcessPtr UpsdServer::spawn(const std::string& name, std::vector<std::string> argv) const {
  auto privileges = privilege_args();
  argv.insert(argv.end(), privileges.begin(), privileges.end());
  std::ofstream(dir_.file(name + ".log"), std::ios::app) << "==== start: " << argv[0] << "\n";
  return std::make_unique<Process>(std::move(argv), dir_.file(name + ".log"), env());
}

void UpsdServer::write_config() {
  std::ostringstream ups;
  ups << "[" << options_.ups << "]\n"
      << "  driver = dummy-ups\n"
      << "  port = " << options_.ups << ".dev\n"
      << "  pollinterval = " << options_.driver_poll_seconds << "\n"
      << "  desc = \"netpower test UPS\"\n";
  if (!options_.clone_ups.empty()) {
    ups << "[" << options_.clone_ups << "]\n"
        << "  driver = clone\n"
        << "  port = dummy-ups-" << options_.ups << "\n"
        << "  offdelay = 3600\n"
        << "  ondelay = 3600\n"
        // clone 2.8.0 crashes on any INSTCMD unless load.status names a variable (it passes
        // getval("load.status") to dstate_getinfo() unchecked); an absent variable is fine.
        << "  load.status = outlet.status\n";
  }
  write_file(dir_.file("ups.conf"), ups.str());
  write_file(dir_.file("upsd.conf"), "LISTEN 127.0.0.1 " + std::to_string(port_) + "\nMAXAGE " +
                                         std::to_string(options_.maxage_seconds) + "\n");
  write_file(dir_.file("upsd.users"), "[" + options_.user + "]\n  password = " + options_.password +
                                          "\n  actions = SET\n  instcmds = ALL\n");
  write_dev();
}

void UpsdServer::write_dev() {
  std::ostringstream dev;
  for (const auto& [name, value] : vars_) dev << name << ": " << value << "\n";
  auto path = dir_.file(options_.ups + ".dev");
  write_file(path, dev.str(), 0644);
  // dummy-ups re-reads the file when its mtime changes, in whole seconds: always move it on.
  auto now = std::filesystem::file_time_type::clock::now();
  dev_mtime_ = std::max(now, dev_mtime_ + 1s);
  std::filesystem::last_write_time(path, dev_mtime_);
}

void UpsdServer::wait_for_socket(const std::string& socket_name, Process& process) const {
  auto path = dir_.file(socket_name);
  bool ready = wait_until(
      [&] {
        struct stat st {};
        return (::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) || !process.running();
      },
      options_.start_timeout);
  if (!ready || !process.running()) {
    throw std::runtime_error("UpsdServer: " + process.argv()[0] + " did not create " +
                             path.string() + "\n" + log_text());
  }
}

void UpsdServer::start() {
  for (int attempt = 1;; ++attempt) {
    bool chosen = port_ == 0;
    if (chosen) port_ = free_tcp_port();
    write_config();
    if (!driver_) start_driver();
    if (!clone_ && !options_.clone_ups.empty()) {
      clone_ =
          spawn("clone", {(options_.nut_dir / "clone").string(), "-a", options_.clone_ups, "-F"});
      wait_for_socket("clone-" + options_.clone_ups, *clone_);
    }
    upsd_ = spawn("upsd", {(options_.nut_dir / "upsd").string(), "-F"});
    try {
      wait_serving("upsd");
      return;
    } catch (const std::runtime_error&) {
      // Another process may have taken the port between free_tcp_port() and upsd's bind.
      bool lost_race = !upsd_->running() && chosen && attempt < kPortAttempts;
      upsd_->terminate(5s);
      if (!lost_race) throw;
      port_ = 0;
    }
  }
}

void UpsdServer::stop_upsd() {
  if (upsd_) upsd_->terminate(5s);
}

void UpsdServer::kill_upsd() {
  if (upsd_) upsd_->kill9();
}

void UpsdServer::start_upsd() {
  if (upsd_ && upsd_->running()) return;
  upsd_ = spawn("upsd", {(options_.nut_dir / "upsd").string(), "-F"});
  wait_serving("upsd");
}

bool UpsdServer::upsd_running() { return upsd_ && upsd_->running(); }

void UpsdServer::stop_driver() {
  if (driver_) driver_->terminate(5s);
}

void UpsdServer::start_driver() {
  if (driver_ && driver_->running()) return;
  driver_ =
      spawn("dummy-ups", {(options_.nut_dir / "dummy-ups").string(), "-a", options_.ups, "-F"});
  wait_for_socket("dummy-ups-" + options_.ups, *driver_);
  if (upsd_ && upsd_->running()) wait_serving("the dummy driver");
}

void UpsdServer::pause_driver() {
  if (driver_) driver_->signal(SIGSTOP);
}

void UpsdServer::resume_driver() {
  if (driver_) driver_->signal(SIGCONT);
}

void UpsdServer::update_vars(const std::map<std::string, std::string>& vars) {
  for (const auto& [name, value] : vars) check_value(name, value);
  for (const auto& [name, value] : vars) vars_[name] = value;
  write_dev();
}

void UpsdServer::set_var(const std::string& name, const std::string& value) {
  check_value(name, value);
  auto reply =
      session({"USERNAME " + options_.user, "PASSWORD " + options_.password, "SET TRACKING ON",
               "SET VAR " + options_.ups + " " + name + " \"" + value + "\""});
  auto at = reply.rfind("OK TRACKING ");
  if (at == std::string::npos) {
    throw std::runtime_error("UpsdServer: SET VAR " + name + " refused:\n" + reply);
  }
  auto id = reply.substr(at + 12);
  id = id.substr(0, id.find('\n'));
  // GET TRACKING answers FEATURE-NOT-CONFIGURED on a connection without SET TRACKING ON.
  std::string status;
  bool done = wait_until(
      [&] {
        status = tracking_status(id);
        return status != "PENDING\n";
      },
      10s, 50ms);
  if (!done || status != "SUCCESS\n") {
    throw std::runtime_error("UpsdServer: SET VAR " + name + " ended with: " + status);
  }
  vars_[name] = value;
}

std::string UpsdServer::tracking_status(const std::string& id) const {
  auto reply = session({"USERNAME " + options_.user, "PASSWORD " + options_.password,
                        "SET TRACKING ON", "GET TRACKING " + id});
  for (int i = 0; i < 3; ++i) reply.erase(0, reply.find('\n') + 1);
  return reply;
}

std::string UpsdServer::session(const std::vector<std::string>& requests,
                                std::chrono::milliseconds timeout) const {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port_);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int error = errno;
    ::close(fd);
    throw std::runtime_error("UpsdServer: connect to port " + std::to_string(port_) + ": " +
                             std::strerror(error));
  }
  std::string out;
  for (const auto& request : requests) out += request + "\n";
  [[maybe_unused]] auto sent = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
  std::string in;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (complete_replies(in) < requests.size()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buffer[4096];
    auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    in.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (complete_replies(in) < requests.size()) {
    throw std::runtime_error("UpsdServer: upsd answered " + std::to_string(complete_replies(in)) +
                             " of " + std::to_string(requests.size()) + " requests:\n" + in);
  }
  return in;
}

std::string UpsdServer::serving_problem() const {
  std::vector<std::string> requests = {"LIST VAR " + options_.ups};
  if (!options_.clone_ups.empty())
    requests.push_back("GET VAR " + options_.clone_ups + " ups.status");
  std::string reply;
  try {
    reply = session(requests, 1s);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  if (reply.rfind("BEGIN LIST VAR " + options_.ups + "\n", 0) != 0) return reply;
  // dummy-ups publishes "ups.status WAIT" and nothing else until it has read its .dev file.
  for (const auto& [name, value] : vars_) {
    auto line = "VAR " + options_.ups + " " + name + " \"" + value + "\"\n";
    if (reply.find(line) == std::string::npos) return "no '" + line + "' yet in:\n" + reply;
  }
  if (!options_.clone_ups.empty() &&
      reply.find("VAR " + options_.clone_ups + " ups.status \"WAIT\"") != std::string::npos) {
    return reply;
  }
  if (!options_.clone_ups.empty() && reply.find("\nERR ") != std::string::npos) return reply;
  return "";
}

void UpsdServer::wait_serving(const std::string& what) {
  std::string problem;
  bool ok = wait_until(
      [&] {
        problem = serving_problem();
        return problem.empty() || !upsd_->running();
      },
      options_.start_timeout, 50ms);
  if (!ok || !problem.empty()) {
    throw std::runtime_error("UpsdServer: " + what + " did not come up on 127.0.0.1:" +
                             std::to_string(port_) + ": " + problem + "\n" + log_text());
  }
}

std::string UpsdServer::log_text() const {
  std::string text;
  for (const char* name : {"ups.conf", "upsd.conf", "dummy-ups.log", "clone.log", "upsd.log"}) {
    text += "---- " + std::string(name) + "\n" + read_file(dir_.file(name));
  }
  return text;
}

}  // namespace netpower::testing
