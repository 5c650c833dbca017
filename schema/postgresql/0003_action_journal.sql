-- netpower-manager, PostgreSQL: the audit trail of power actions (manager/model/action.h) and the
-- outlet-to-host bindings learned by tickles, written by the action journal
-- (manager/store/action_journal.h) on its own connection. A record is written again at each step
-- of its action: the row of an id is replaced (upsert), its outlets with it. Times are
-- timestamptz (microseconds), as in `events`; strings are kept as given (valid UTF-8, no NUL).

CREATE TABLE actions (
  id           bigint PRIMARY KEY,  -- assigned by the actions room, increasing
  request_id   bigint NOT NULL,     -- one request (a group, a selector) makes several actions
  kind         text NOT NULL,       -- tickle|off|on|reboot
  source       text NOT NULL,       -- cli|api|automation|shutdown|rollout
  principal    text NOT NULL,
  reason       text NOT NULL,
  target       text NOT NULL,       -- as requested: "web1", "rack12-pdu.A1", "group:web"
  host         text NOT NULL,       -- the host the action means, '' when none
  dry_run      boolean NOT NULL,
  force        boolean NOT NULL,
  requested    timestamptz NOT NULL,
  finished     timestamptz,         -- NULL while pending
  result       text NOT NULL,       -- pending|succeeded|refused|failed
  failure      text NOT NULL,       -- the named reason ('' while pending and on success)
  failure_text text NOT NULL,
  -- [{"name": "tickle A1", "started": "2026-12-03T17:40:15.123456Z", "ended": "...",
  --   "outcome": "ok", "detail": "answered by web1 ..."}, ...]; "ended" absent while running.
  steps        jsonb NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()  -- when the journal last wrote the row
);
-- The queries of ActionQuery: newest first (the primary key), within a request, a host, a result
-- (each ordered by id for paging with before_id), and time ranges on `requested`.
CREATE INDEX actions_request_id ON actions (request_id, id);
CREATE INDEX actions_host_id ON actions (host, id);
CREATE INDEX actions_result_id ON actions (result, id);
CREATE INDEX actions_requested ON actions (requested);

-- The outlets an action acted on together, in the record's order (seq); for queries by outlet.
CREATE TABLE action_outlets (
  action_id bigint NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
  seq       integer NOT NULL,
  agent     text NOT NULL,
  port      text NOT NULL,
  PRIMARY KEY (action_id, seq)
);
CREATE INDEX action_outlets_outlet ON action_outlets (agent, port, action_id);

-- Which host answered on which outlet (the last tickle's answer). No foreign key to actions: a
-- discovery's tickle may teach a binding without an action row.
CREATE TABLE bindings (
  agent         text NOT NULL,
  port          text NOT NULL,
  host_id       text NOT NULL,  -- netpowerHostId as answered
  host_name     text NOT NULL,  -- the inventory's host with that id, '' when none
  hostname      text NOT NULL,  -- netpowerHostName as answered
  boot_id       text NOT NULL,
  learned       timestamptz NOT NULL,
  confirmations bigint NOT NULL,
  action_id     bigint NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agent, port)
);
