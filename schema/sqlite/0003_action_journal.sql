-- netpower-manager, SQLite: the audit trail of power actions and the bindings learned by tickles,
-- as in PostgreSQL (schema/postgresql/0003_action_journal.sql explains the columns). Times are
-- integer microseconds since the Unix epoch; booleans 0/1; steps a JSON text.

CREATE TABLE actions (
  id           INTEGER PRIMARY KEY,
  request_id   INTEGER NOT NULL,
  kind         TEXT NOT NULL,
  source       TEXT NOT NULL,
  principal    TEXT NOT NULL,
  reason       TEXT NOT NULL,
  target       TEXT NOT NULL,
  host         TEXT NOT NULL,
  dry_run      INTEGER NOT NULL,
  force        INTEGER NOT NULL,
  requested    INTEGER NOT NULL,
  finished     INTEGER,
  result       TEXT NOT NULL,
  failure      TEXT NOT NULL,
  failure_text TEXT NOT NULL,
  steps        TEXT NOT NULL,  -- JSON array
  updated_at   INTEGER NOT NULL
);
CREATE INDEX actions_request_id ON actions (request_id, id);
CREATE INDEX actions_host_id ON actions (host, id);
CREATE INDEX actions_result_id ON actions (result, id);
CREATE INDEX actions_requested ON actions (requested);

CREATE TABLE action_outlets (
  action_id INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
  seq       INTEGER NOT NULL,
  agent     TEXT NOT NULL,
  port      TEXT NOT NULL,
  PRIMARY KEY (action_id, seq)
);
CREATE INDEX action_outlets_outlet ON action_outlets (agent, port, action_id);

CREATE TABLE bindings (
  agent         TEXT NOT NULL,
  port          TEXT NOT NULL,
  host_id       TEXT NOT NULL,
  host_name     TEXT NOT NULL,
  hostname      TEXT NOT NULL,
  boot_id       TEXT NOT NULL,
  learned       INTEGER NOT NULL,
  confirmations INTEGER NOT NULL,
  action_id     INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (agent, port)
);
