#include "tests/integration/actions/fleet.h"

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "tests/support/ports.h"
#include "tests/support/wait.h"

namespace netpower::testing {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

const std::map<std::string, std::string> kTokens = {
    {"viewer", "viewer-token-0123456789abcdef"},
    {"operator", "operator-token-0123456789abcdef"},
    {"admin", "admin-token-0123456789abcdef"},
};

std::string quoted_list(const std::vector<std::string>& items, const std::string& prefix) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += "\"" + prefix + items[i] + "\"";
  }
  return out + "]";
}

}  // namespace

std::string FleetCtl::describe() const {
  return "exit " + std::to_string(exit_code) + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
}

Fleet::Fleet(FleetSetup setup) : setup_(std::move(setup)) {
  for (const auto& spec : setup_.hosts) {
    HostState host;
    host.spec = spec;
    if (host.spec.id.empty()) host.spec.id = "id-" + spec.name;
    if (host.spec.believed.empty()) host.spec.believed = spec.plugged;
    const std::string& owner = spec.clone_of.empty() ? spec.name : spec.clone_of;
    host.user = "host-" + owner;
    host.auth += owner;
    host.priv += owner;
    hosts_.emplace(spec.name, std::move(host));
  }
}

Fleet::~Fleet() {
  stop_ = true;
  if (power_.joinable()) power_.join();
  if (manager_) manager_->terminate(10s);
  std::lock_guard lock(mutex_);
  for (auto& [name, host] : hosts_) host.process.reset();
}

std::string Fleet::token_file(const std::string& role) const {
  return dir_.file(role + ".token").string();
}

std::string Fleet::agent_yaml() const {
  std::ostringstream sim;
  sim << "    wires:\n";
  std::set<std::string> wired;
  for (const auto& [name, host] : hosts_) {
    for (const auto& port : host.spec.plugged) {
      if (!wired.insert(port).second) throw std::invalid_argument("two hosts plugged into " + port);
      sim << "      " << port << ": " << dir_.file(name + ".wire").string() << "\n";
    }
  }
  sim << "    appliances:\n";
  for (const auto& [name, host] : hosts_) {
    for (const auto& port : host.spec.plugged) {
      sim << "      " << port << ": { load: " << host.spec.load_amps << ", initial: on }\n";
    }
  }
  return sim.str();
}

std::string Fleet::manager_yaml() const {
  std::ostringstream out;
  out << "log:\n  level: debug\n"
      << "agents:\n"
      << "  - name: pdu\n    address: 127.0.0.1\n    port: " << snmpd_->port() << "\n"
      << "    version: 3\n    user: " << snmpd_->v3_user() << "\n"
      << "    security_level: authPriv\n    auth_protocol: SHA\n    auth_key: np-auth-secret\n"
      << "    priv_protocol: AES\n    priv_key: np-priv-secret\n"
      << "    poll_interval: 2s\n    timeout: 500ms\n    retries: 1\n"
      << "    labels: {site: lab, rack: r1}\n"
      << "store:\n  sqlite: {path: " << dir_.file("manager.db").string() << "}\n"
      << "  spool_dir: " << dir_.file("spool").string() << "\n"
      << "http:\n  port: " << http_port_ << "\n  principals:\n";
  for (const auto& [role, token] : kTokens) {
    out << "    - {name: " << role << "-user, role: " << role
        << ", token_file: " << token_file(role) << "}\n";
  }
  out << "traps:\n  listen: 127.0.0.1\n  port: " << trap_port_
      << "\n  engine_file: " << dir_.file("snmp-engine").string() << "\n  users:\n";
  for (const auto& [name, host] : hosts_) {
    if (!host.spec.clone_of.empty()) continue;  // its original's user
    out << "    - {user: " << host.user << ", auth_protocol: SHA, auth_key: " << host.auth
        << ", priv_protocol: AES, priv_key: " << host.priv << "}\n";
  }
  out << "hosts:\n";
  for (const auto& [name, host] : hosts_) {
    if (!host.spec.in_inventory) continue;
    out << "  - name: " << name << "\n    id: " << host.spec.id << "\n    user: " << host.user
        << "\n    outlets: " << quoted_list(host.spec.believed, "pdu.")
        << "\n    heartbeat: " << setup_.heartbeat << "\n";
    if (!host.spec.answer_yaml.empty()) out << "    answer: " << host.spec.answer_yaml << "\n";
  }
  // The harness's defaults, each overridden by a line of setup.actions_yaml ("  key: value").
  std::vector<std::pair<std::string, std::string>> actions = {
      {"answer_timeout", "2s"},    {"switch_timeout", "2s"}, {"verify_timeout", "5s"},
      {"verify_interval", "50ms"}, {"off_time", "200ms"},    {"boot_timeout", "10s"}};
  std::istringstream extra(setup_.actions_yaml);
  for (std::string line; std::getline(extra, line);) {
    const auto colon = line.find(':');
    const auto start = line.find_first_not_of(' ');
    if (colon == std::string::npos || start == std::string::npos) continue;
    const std::string key = line.substr(start, colon - start);
    const std::string value = line.substr(line.find_first_not_of(' ', colon + 1));
    bool found = false;
    for (auto& [k, v] : actions) {
      if (k == key) v = value, found = true;
    }
    if (!found) actions.emplace_back(key, value);
  }
  out << "actions:\n";
  for (const auto& [key, value] : actions) out << "  " << key << ": " << value << "\n";
  return out.str();
}

void Fleet::write_host_config(HostState& host) {
  const auto& name = host.spec.name;
  std::ofstream(dir_.file(name + ".boot")) << host.boot_id << "\n";
  std::ofstream(dir_.file(name + ".yaml"))
      << "host_id: " << host.spec.id << "\n"
      << "hostname: " << name << "\n"
      << "boot_id_file: " << dir_.file(name + ".boot").string() << "\n"
      << "line: { kind: sim, socket: " << dir_.file(name + ".wire").string() << " }\n"
      << "min_bit_time: 100us\n"
      << "manager:\n"
      << "  address: udp:127.0.0.1:" << (relay_ ? relay_->port() : trap_port_) << "\n"
      << "  user: " << host.user << "\n"
      << "  auth_passphrase: "
      << (host.spec.auth_override.empty() ? host.auth : host.spec.auth_override) << "\n"
      << "  priv_passphrase: " << host.priv << "\n"
      << "  timeout: 300ms\n  retries: 1\n  attempts: 3\n"
      << "heartbeat: " << setup_.heartbeat << "\n"
      << "log_level: debug\n";
}

void Fleet::start() {
  for (const auto& [role, token] : kTokens) std::ofstream(token_file(role)) << token << "\n";
  http_port_ = free_tcp_port();
  trap_port_ = free_udp_port();
  if (setup_.relay) relay_ = std::make_unique<UdpRelay>(trap_port_);

  snmpd_ = std::make_unique<SnmpdServer>();
  snmpd_->start();
  AgentSetup agent;
  agent.boards = setup_.boards;
  agent.poll_interval = "20ms";
  agent.sim_yaml = agent_yaml();
  agent.extra_yaml = "tickle:\n  bit_time: " + setup_.bit_time + "\n";
  agent_ = std::make_unique<AgentProcess>(*snmpd_, agent);
  agent_->start();

  std::ofstream(dir_.file("manager.yaml")) << manager_yaml();
  manager_ = std::make_unique<Process>(std::vector<std::string>{NETPOWER_MANAGER_BINARY, "--config",
                                                                dir_.file("manager.yaml").string()},
                                       dir_.file("manager.log"));

  // Power the hosts as their outlets are, then keep following the relays.
  follow_power(sim().state());
  power_ = std::thread([this] { power_loop(); });

  const bool ready = wait_until(
      [&] {
        if (!manager_->running()) return true;
        // The agent polled once (every port known), and every running host heard.
        auto agent = get("/api/v1/agents/pdu");
        if (agent.status != 200) return false;
        auto doc = json::parse(agent.body, nullptr, false);
        if (!doc.is_object() || !doc.contains("agent")) return false;
        const auto& a = doc["agent"];
        if (!a.is_object() || !a.contains("ports") || !a["ports"].is_array() ||
            a["ports"].size() != static_cast<std::size_t>(setup_.boards) * 4) {
          return false;
        }
        auto r = get("/api/v1/hosts");
        if (r.status != 200) return false;
        auto body = json::parse(r.body, nullptr, false);
        if (!body.is_object()) return false;
        std::set<std::string> up;
        for (const auto& h : body["hosts"]) {
          if (h.value("up", false)) up.insert(h.value("name", ""));
        }
        std::lock_guard lock(mutex_);
        for (const auto& [name, host] : hosts_) {
          if (host.spec.in_inventory && host.process && host.spec.auth_override.empty() &&
              !up.count(name)) {
            return false;
          }
        }
        return true;
      },
      30s, 50ms);
  if (!ready || !manager_->running()) {
    throw std::runtime_error("the fleet did not come up\n" + logs());
  }
}

void Fleet::power_loop() {
  while (!stop_) {
    try {
      follow_power(sim().state());
    } catch (const std::exception&) {
      // The agent is stopping (end of the test); try again.
    }
    std::this_thread::sleep_for(5ms);
  }
}

void Fleet::follow_power(const json& state) {
  std::map<std::string, bool> relay;
  for (const auto& board : state["boards"]) {
    for (const auto& port : board["ports"]) relay[port["id"]] = port["relay_on"];
  }
  std::lock_guard lock(mutex_);
  for (auto& [name, host] : hosts_) {
    if (!host.spec.runs_host) continue;
    bool powered = false;
    for (const auto& port : host.spec.plugged) powered = powered || relay[port];
    const bool running = host.process && host.process->running();
    if (powered && !running) {
      ++host.boots;
      host.boot_id = "boot-" + name + "-" + std::to_string(host.boots);
      write_host_config(host);
      host.process =
          std::make_unique<Process>(std::vector<std::string>{NETPOWER_HOST_BIN, "--config",
                                                             dir_.file(name + ".yaml").string()},
                                    dir_.file(name + ".log"));
    } else if (!powered && running) {
      host.process->kill9();  // the power is gone
    }
  }
}

FleetCtl Fleet::ctl(std::vector<std::string> args, const std::string& role,
                    std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {NETPOWERCTL_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_command(argv, timeout,
                       {"NETPOWER_MANAGER=http://127.0.0.1:" + std::to_string(http_port_),
                        "NETPOWER_TOKEN_FILE=" + token_file(role), "NETPOWER_TOKEN"});
  return FleetCtl{r.timed_out ? -2 : r.exit_code(), r.out, r.err};
}

HttpResponse Fleet::get(const std::string& target, const std::string& role) {
  return http_get(http_port_, target, {{"Authorization", "Bearer " + kTokens.at(role)}});
}

json Fleet::get_json(const std::string& target) {
  auto r = get(target);
  if (r.status != 200) {
    throw std::runtime_error("GET " + target + ": " + std::to_string(r.status) + " " + r.body +
                             r.error);
  }
  return json::parse(r.body);
}

HttpResponse Fleet::post(const std::string& target, const json& body, const std::string& role) {
  return http_request(
      http_port_, "POST", target, body.dump(),
      {{"Authorization", "Bearer " + kTokens.at(role)}, {"Content-Type", "application/json"}});
}

int Fleet::relay_changes(const std::string& port) const {
  int changes = 0;
  for (const auto& entry : sim().history(port)) {
    if (entry.value("kind", "") == "relay") ++changes;
  }
  return changes;
}

std::map<std::string, int> Fleet::all_relay_changes() const {
  std::map<std::string, int> out;
  for (const auto& entry : sim().history("")) {
    if (entry.value("kind", "") == "relay") ++out[entry.value("port", "")];
  }
  return out;
}

int Fleet::boots(const std::string& host) const {
  std::lock_guard lock(mutex_);
  return hosts_.at(host).boots;
}

std::string Fleet::boot_id(const std::string& host) const {
  std::lock_guard lock(mutex_);
  return hosts_.at(host).boot_id;
}

Fleet::Credentials Fleet::credentials(const std::string& host) const {
  std::lock_guard lock(mutex_);
  const auto& h = hosts_.at(host);
  return {h.user, h.auth, h.priv};
}

bool Fleet::host_running(const std::string& host) const {
  std::lock_guard lock(mutex_);
  const auto& h = hosts_.at(host);
  return h.process && h.process->running();
}

std::string Fleet::logs() const {
  std::ostringstream out;
  out << "--- manager\n"
      << (manager_ ? manager_->log_text() : "") << "\n--- agent\n"
      << (agent_ ? agent_->log_text() : "") << "\n";
  std::lock_guard lock(mutex_);
  for (const auto& [name, host] : hosts_) {
    out << "--- host " << name << "\n" << read_file(dir_.file(name + ".log")) << "\n";
  }
  return out.str();
}

}  // namespace netpower::testing
