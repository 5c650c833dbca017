#include "tests/integration/host/v3_trap_receiver.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/ports.h"
#include "tests/support/wait.h"

namespace netpower::testing {

namespace {

constexpr const char* kFormat = "TRAP\t%V\t%v\n";
constexpr const char* kSnmpTrapOid = ".1.3.6.1.6.3.1.1.4.1.0";

}  // namespace

std::optional<std::string> Inform::value(const std::string& oid) const {
  for (const auto& [name, v] : varbinds) {
    if (name == oid) return v;
  }
  return std::nullopt;
}

std::optional<std::string> octets_of(const std::string& printed) {
  const std::string text = "STRING: \"";
  const std::string hex = "Hex-STRING: ";
  if (printed.rfind(text, 0) == 0 && printed.size() > text.size() && printed.back() == '"') {
    return printed.substr(text.size(), printed.size() - text.size() - 1);
  }
  if (printed.rfind(hex, 0) == 0) {
    std::string out;
    std::istringstream in(printed.substr(hex.size()));
    std::string byte;
    while (in >> byte) out += static_cast<char>(std::stoi(byte, nullptr, 16));
    return out;
  }
  return std::nullopt;
}

V3TrapReceiver::V3TrapReceiver(const std::vector<V3User>& users) {
  {
    std::ofstream conf(dir_.file("snmptrapd.conf"));
    for (const auto& u : users) {
      conf << "createUser " << u.name << " SHA \"" << u.auth_passphrase << "\" AES \""
           << u.priv_passphrase << "\"\n"
           << "authUser log " << u.name << " authPriv\n";
    }
    conf << "doNotRetainNotificationLogs yes\n";
  }
  std::string last_error;
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_udp_port();
    std::ofstream(dir_.file("traps.log"), std::ios::trunc).close();
    process_ = std::make_unique<Process>(
        std::vector<std::string>{"snmptrapd", "-f", "-C", "-c",
                                 dir_.file("snmptrapd.conf").string(), "-M", "/nonexistent", "-m",
                                 "", "-On", "-F", kFormat, "-Lf", dir_.file("traps.log").string(),
                                 address()},
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

std::string V3TrapReceiver::log_text() const { return read_file(dir_.file("traps.log")); }

std::vector<Inform> V3TrapReceiver::informs() const {
  std::vector<Inform> out;
  std::istringstream lines(log_text());
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("TRAP\t", 0) != 0) continue;
    Inform inform;
    std::istringstream fields(line);
    std::string field;
    while (std::getline(fields, field, '\t')) {
      auto eq = field.find(" = ");
      if (eq == std::string::npos) continue;
      auto name = field.substr(0, eq);
      auto value = field.substr(eq + 3);
      if (name == kSnmpTrapOid) {
        auto colon = value.find(": ");
        inform.trap_oid = colon == std::string::npos ? value : value.substr(colon + 2);
      } else {
        inform.varbinds.emplace_back(name, value);
      }
    }
    out.push_back(std::move(inform));
  }
  return out;
}

std::vector<Inform> V3TrapReceiver::informs_of(const std::string& trap_oid) const {
  std::vector<Inform> out;
  for (auto& i : informs()) {
    if (i.trap_oid == trap_oid) out.push_back(std::move(i));
  }
  return out;
}

}  // namespace netpower::testing
