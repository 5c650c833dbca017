#include "tests/support/trap_receiver.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/ports.h"
#include "tests/support/wait.h"

namespace netpower::testing {

namespace {

// snmptrapd's -F format: one line per notification, varbinds separated by a tab.
constexpr const char* kFormat = "TRAP\t%V\t%v\n";
constexpr const char* kSnmpTrapOid = ".1.3.6.1.6.3.1.1.4.1.0";
constexpr const char* kSysUpTime = ".1.3.6.1.2.1.1.3.0";

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, '\t')) out.push_back(field);
  return out;
}

}  // namespace

std::optional<std::string> ReceivedTrap::value(const std::string& oid) const {
  for (const auto& [name, v] : varbinds) {
    if (name == oid) return v;
  }
  return std::nullopt;
}

std::optional<std::string> ReceivedTrap::value_under(const std::string& prefix) const {
  for (const auto& [name, v] : varbinds) {
    if (name.rfind(prefix, 0) == 0) return v;
  }
  return std::nullopt;
}

TrapReceiver::TrapReceiver(std::string community) : community_(std::move(community)) {
  {
    std::ofstream conf(dir_.file("snmptrapd.conf"));
    conf << "authCommunity log " << community_ << "\n"
         << "doNotRetainNotificationLogs yes\n";
  }
  std::string last_error;
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_udp_port();
    std::ofstream(dir_.file("traps.log"), std::ios::trunc).close();
    process_ = std::make_unique<Process>(
        std::vector<std::string>{"snmptrapd", "-f", "-C", "-c",
                                 dir_.file("snmptrapd.conf").string(), "-M", "/nonexistent", "-m",
                                 "", "-On", "-F", kFormat, "-Lf", dir_.file("traps.log").string(),
                                 "udp:127.0.0.1:" + std::to_string(port_)},
        dir_.file("snmptrapd.out"), EnvChanges{"SNMP_PERSISTENT_DIR=" + dir_.path().string()});
    bool up = wait_until(
        [&]() {
          return !process_->running() || log_text().find("NET-SNMP version") != std::string::npos;
        },
        std::chrono::seconds(10));
    if (up && process_->running()) return;
    last_error = process_->log_text() + log_text();
  }
  throw std::runtime_error("snmptrapd did not start: " + last_error);
}

TrapReceiver::~TrapReceiver() = default;

std::string TrapReceiver::sink_line() const {
  return "trap2sink udp:127.0.0.1:" + std::to_string(port_) + " " + community_;
}

std::string TrapReceiver::log_text() const {
  std::ifstream in(dir_.file("traps.log"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<ReceivedTrap> TrapReceiver::traps() const {
  std::vector<ReceivedTrap> out;
  std::istringstream lines(log_text());
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("TRAP\t", 0) != 0) continue;
    ReceivedTrap trap;
    auto fields = split_tabs(line);
    for (std::size_t i = 2; i < fields.size(); ++i) {
      auto eq = fields[i].find(" = ");
      if (eq == std::string::npos) continue;
      auto name = fields[i].substr(0, eq);
      auto value = fields[i].substr(eq + 3);
      if (name == kSysUpTime) continue;
      if (name == kSnmpTrapOid) {
        auto colon = value.find(": ");
        trap.trap_oid = colon == std::string::npos ? value : value.substr(colon + 2);
        continue;
      }
      trap.varbinds.emplace_back(name, value);
    }
    out.push_back(std::move(trap));
  }
  return out;
}

std::vector<ReceivedTrap> TrapReceiver::traps_of(const std::string& trap_oid) const {
  std::vector<ReceivedTrap> out;
  for (auto& trap : traps()) {
    if (trap.trap_oid == trap_oid) out.push_back(std::move(trap));
  }
  return out;
}

std::optional<ReceivedTrap> TrapReceiver::wait_for(const std::string& trap_oid,
                                                   std::chrono::milliseconds timeout,
                                                   std::function<bool(const ReceivedTrap&)> match,
                                                   std::size_t skip) const {
  std::optional<ReceivedTrap> found;
  wait_until(
      [&]() {
        auto list = traps_of(trap_oid);
        for (std::size_t i = skip; i < list.size(); ++i) {
          if (!match || match(list[i])) {
            found = list[i];
            return true;
          }
        }
        return false;
      },
      timeout, std::chrono::milliseconds(20));
  return found;
}

}  // namespace netpower::testing
