#pragma once
// The Sentry2-MIB notifications on the wire: the OIDs and varbinds of the patent's TABLE X (the
// chain location first, then the board's or port's index, name and the value the trap is about),
// sent through the master snmpd (AgentX Notify).

#include "agent/model/chain_model.h"
#include "agent/snmp/mib_tree.h"
#include "agent/snmp/subagent.h"
#include "agent/snmp/ups_mib.h"
#include "agent/traps/trap_sink.h"

namespace netpower::agent::snmp {

// sentry2Events.N: 1.3.6.1.4.1.1718.2.100.0.N
Oid sentry2_trap_oid(traps::Sentry2Trap trap);
// The varbinds of `event` with the model's values of now, in the patent's order. The index
// object (sentry2BoardIndex / sentry2PortIndex) is sent as the second varbind, as the original
// devices did (mibs/Sentry2-MIB.txt, note 5).
Varbinds sentry2_trap_varbinds(const ChainModel& model, const traps::TrapEvent& event);

// The agent's trap sink: sends while the AgentX session is up.
class Sentry2TrapSender final : public traps::TrapSink {
 public:
  // `model` and `subagent` must outlive the sender.
  Sentry2TrapSender(const ChainModel& model, const Subagent& subagent)
      : model_(model), subagent_(subagent) {}

  bool can_send() const override { return subagent_.connected(); }
  void send(const traps::TrapEvent& event) override;

 private:
  const ChainModel& model_;
  const Subagent& subagent_;
};

}  // namespace netpower::agent::snmp
