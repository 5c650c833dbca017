#pragma once
// The AgentX subagent: net-snmp's agent library in subagent role, joined to our SelectLoop.
// net-snmp keeps process-wide state, so there is exactly one Subagent per process.
//
// The master snmpd may go away and come back: with a ping interval set, net-snmp's alarms notice,
// close the session and reopen it, re-sending every registration. Because the loop asks net-snmp
// for its descriptors and next alarm before every wait (prepare) and runs its alarms after
// (dispatch), the new socket is watched without any re-registration of ours.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/snmp/mib_tree.h"
#include "core/select_loop.h"

namespace netpower::agent::snmp {

struct SubagentOptions {
  std::string name = "netpower-agent";
  // AgentX master address: a Unix socket path, or tcp:HOST:PORT. Empty: net-snmp's default
  // (/var/agentx/master).
  std::string agentx_socket;
  std::chrono::seconds ping_interval{5};  // how often a lost master is looked for again
};

class Subagent final : public core::ExternalSource {
 public:
  explicit Subagent(SubagentOptions options);
  ~Subagent() override;
  Subagent(const Subagent&) = delete;
  Subagent& operator=(const Subagent&) = delete;

  // Serves the subtree at `root` from the tree that `tree()` returns at the time of each request.
  // Call before start().
  void register_module(const std::string& name, const Oid& root,
                       std::function<const MibTree&()> tree);
  // Opens the session to the master (and keeps retrying in the background if it is not there).
  void start();

  // True while the AgentX session to the master is open: a notification sent now reaches it (one
  // sent while it is not is dropped by net-snmp). Loop thread.
  bool connected() const { return connected_; }
  // Called with the new state each time the session opens or closes. It runs inside net-snmp's
  // processing: schedule work on the loop rather than sending from it. Set before start().
  void on_connection_change(std::function<void(bool)> fn) { connection_listener_ = std::move(fn); }

  // The master's sysUpTime in hundredths of a second (not wrapped), as net-snmp's subagent keeps
  // it: every AgentX response (to Open, Register, Ping, Notify) carries the master's sysUpTime,
  // and net-snmp 5.9 sets its own agent uptime to it (agentx_synch_input in agentx/client.c);
  // between responses it counts on the monotonic clock. Before the first session: the time
  // since this process initialised net-snmp. What net-snmp puts in our notifications' sysUpTime.0.
  std::uint64_t uptime_ticks() const;

  void prepare(fd_set& readable, int& max_fd, core::Duration& timeout) override;
  void dispatch(const fd_set& readable) override;

  struct Registration;

 private:
  // net-snmp's SNMPD_CALLBACK_INDEX_START / _STOP: the session to the master opened / closed.
  static int session_callback(int major, int minor, void* server_arg, void* client_arg);

  SubagentOptions options_;
  std::vector<std::unique_ptr<Registration>> registrations_;
  bool started_ = false;
  bool connected_ = false;
  std::function<void(bool)> connection_listener_;
};

}  // namespace netpower::agent::snmp
