#pragma once
// An ActionMachine on a manual clock with the fixture's inventory and a real HostPresence, and
// helpers that play the agent (SET answers, read-backs) and the hosts (answers, hellos).

#include <gtest/gtest.h>

#include <memory>

#include "manager/actions/action_machine.h"
#include "tests/unit/manager/actions/actions_fixture.h"

namespace netpower::manager::actions::testing {

using namespace std::chrono_literals;
using Kind = OutletCommand::Kind;
using model::ActionKind;
using model::ActionResult;
using model::StepOutcome;

struct Options {
  bool dry_run = false;
  bool force = false;
};

class MachineTest : public ::testing::Test {
 protected:
  ActionMachine& make(ActionKind kind, const std::string& host_name, Options o = {}) {
    const auto* host = loaded_.inventory.host(host_name);
    model::ActionRecord r;
    r.id = 7;
    r.kind = kind;
    r.principal = "alice";
    r.host = host ? host->name : "";
    r.outlets = host ? host->outlets : std::vector<model::OutletRef>{{"pdu1", "C1"}};
    r.dry_run = o.dry_run;
    r.force = o.force;
    r.requested = model::WallTime(std::chrono::seconds(1'700'000'000));
    machine_ = std::make_unique<ActionMachine>(r, host, loaded_.inventory, presence_, clock_,
                                               [this] { return ++nonce_; });
    return *machine_;
  }

  ActionMachine& m() { return *machine_; }
  void advance(core::Duration d) { clock_.advance(d); }

  // Every command of `cmds` of `kind`.
  static std::vector<OutletCommand> only(const std::vector<OutletCommand>& cmds, Kind kind) {
    std::vector<OutletCommand> out;
    for (const auto& c : cmds) {
      if (c.kind == kind) out.push_back(c);
    }
    return out;
  }

  // Acknowledges every SET in `cmds`; returns what the machine asked for next.
  std::vector<OutletCommand> ack(const std::vector<OutletCommand>& cmds) {
    std::vector<OutletCommand> out;
    for (const auto& c : cmds) {
      if (c.kind == Kind::kRead) continue;
      auto more = m().on_set(c, SetResult{});
      out.insert(out.end(), more.begin(), more.end());
    }
    return out;
  }

  std::vector<OutletCommand> read(std::size_t outlet, const std::string& control,
                                  std::optional<double> amps) {
    ReadResult r;
    r.ok = true;
    r.control = control;
    r.load_amps = amps;
    r.load_text = amps ? std::to_string(*amps) + "A" : "N/A";
    return m().on_read(outlet, r);
  }

  Observation observe(Note note, const std::string& id, const std::string& boot,
                      const std::string& user, std::optional<std::uint64_t> nonce = std::nullopt) {
    return presence_.observe(host_trap(note, id, boot, user, nonce, ++sequence_));
  }

  // The host answers the tickle of `outlet` (with that tickle's nonce).
  std::vector<OutletCommand> answer(std::size_t outlet, const std::string& id,
                                    const std::string& boot, const std::string& user) {
    const auto nonce = m().nonces().at(outlet);
    return m().on_answer(outlet, observe(Note::kAnswer, id, boot, user, nonce));
  }

  std::vector<OutletCommand> notify(Note note, const std::string& id, const std::string& boot,
                                    const std::string& user) {
    return m().on_host(observe(note, id, boot, user));
  }

  const model::ActionStep* step(const std::string& name) const {
    for (const auto& s : machine_->record().steps) {
      if (s.name == name) return &s;
    }
    return nullptr;
  }
  std::string steps_text() const {
    std::string out;
    for (const auto& s : machine_->record().steps) {
      out += s.name + " [" + model::to_string(s.outcome) + "] " + s.detail + "\n";
    }
    return out;
  }

  Loaded loaded_ = load();
  core::ManualClock clock_;
  HostPresence presence_{loaded_.inventory, clock_};
  std::uint64_t nonce_ = 0x1000;
  std::uint32_t sequence_ = 0;
  std::unique_ptr<ActionMachine> machine_;
};

}  // namespace netpower::manager::actions::testing
