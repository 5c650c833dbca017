#pragma once
// A scripted SNMPv2c agent on 127.0.0.1 for tests of odd and hostile agents: its own thread
// answers each GETBULK (any community) with what the test's function returns, after a delay the
// test sets. Built on the SNMP library's codec (manager/snmp/message.h); GET, GETNEXT and SET are
// not answered.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "manager/snmp/varbind.h"

namespace netpower::testing {

class ScriptedAgent {
 public:
  // The varbinds of the answer to GETBULK(from, max_repetitions). Called on the agent's thread.
  using Answer = std::function<std::vector<manager::snmp::Varbind>(const manager::snmp::Oid& from,
                                                                   std::int32_t max_repetitions)>;

  // Binds a free port and starts answering. Throws std::system_error if no socket can be bound.
  explicit ScriptedAgent(Answer answer);
  ~ScriptedAgent();  // stops the thread
  ScriptedAgent(const ScriptedAgent&) = delete;
  ScriptedAgent& operator=(const ScriptedAgent&) = delete;

  std::uint16_t port() const { return port_; }
  // Any thread; the next request uses them.
  void set_answer(Answer answer);
  void set_delay(std::chrono::milliseconds delay) { delay_ms_ = delay.count(); }
  // GETBULK requests answered so far.
  std::uint64_t answered() const { return answered_; }

  // An endless table under `root`: each answer holds `max_repetitions` rows after `from`
  // (root.1.1, root.1.2, ...), each an OCTET STRING of `value_bytes` bytes.
  static Answer endless_table(manager::snmp::Oid root, std::size_t value_bytes);
  // `rows` rows of a table under `root` (root.1.1 .. root.1.rows), then the end of the MIB view.
  static Answer finite_table(manager::snmp::Oid root, std::uint32_t rows, std::size_t value_bytes);

 private:
  void serve();

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::mutex mutex_;
  Answer answer_;
  std::atomic<std::int64_t> delay_ms_{0};
  std::atomic<std::uint64_t> answered_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace netpower::testing
