#pragma once
// Where the acting rooms keep their audit trail: every action record, written again at each step
// (records are small), and the bindings learned by tickles. The store implements it
// (store/action_journal), on its own connection, with the outage path of the rest of the store:
// a write that cannot reach the database is kept and retried, never dropped silently. Reads answer
// the API (/api/v1/actions, /api/v1/bindings).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "manager/model/action.h"
#include "manager/model/time.h"

namespace netpower::manager::model {

struct ActionQuery {
  std::optional<std::uint64_t> request_id;
  std::string agent;  // actions on any outlet of this agent ("" = all)
  std::string port;   // with agent
  std::string host;
  std::optional<ActionResult> result;
  std::optional<WallTime> since;
  std::optional<WallTime> until;
  std::uint64_t before_id = 0;  // paging: only ids below this (0 = from the newest)
  std::size_t limit = 100;      // newest first
};

class ActionJournal {
 public:
  virtual ~ActionJournal() = default;

  // Inserts or replaces the record with this id. Returns at once (any thread); records written
  // for one id are applied in call order.
  virtual void record(const ActionRecord& action) = 0;
  // Inserts or replaces the binding of this outlet.
  virtual void bind(const Binding& binding) = 0;
  // The largest action id ever recorded (0 when none), so that ids stay unique across restarts.
  // Blocking; called once at start.
  virtual std::uint64_t last_action_id() = 0;

  // Blocking reads (on the caller's thread, through the journal's own connection). Throw
  // std::runtime_error when the database cannot be read.
  virtual std::vector<ActionRecord> actions(const ActionQuery& query) = 0;
  virtual std::optional<ActionRecord> action(std::uint64_t id) = 0;
  virtual std::vector<Binding> bindings() = 0;

  // Waits until every record() and bind() made before the call is written, or `timeout` passes.
  virtual bool flush(std::chrono::milliseconds timeout) = 0;
};

}  // namespace netpower::manager::model
