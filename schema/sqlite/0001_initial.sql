-- netpower-manager, SQLite (the embedded default): the same tables as PostgreSQL without
-- partitions. Times are integers: microseconds since the Unix epoch (UTC). Applied once, in one
-- transaction, recorded in schema_migrations (created by the migration runner).

CREATE TABLE agents (
  name       TEXT PRIMARY KEY,
  address    TEXT NOT NULL,
  port       INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
  version    TEXT NOT NULL,
  labels     TEXT NOT NULL DEFAULT '{}',  -- JSON object
  first_seen INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE samples (
  time   INTEGER NOT NULL,
  agent  TEXT NOT NULL,
  kind   TEXT NOT NULL,
  key    TEXT NOT NULL,
  metric TEXT NOT NULL,
  value  REAL NOT NULL
);
CREATE INDEX samples_time ON samples (time);
CREATE INDEX samples_agent_metric_time ON samples (agent, metric, time);

CREATE TABLE events (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  time     INTEGER NOT NULL,
  agent    TEXT NOT NULL,
  kind     TEXT NOT NULL,
  oid      TEXT NOT NULL,
  varbinds TEXT NOT NULL,  -- JSON
  text     TEXT NOT NULL
);
CREATE INDEX events_time ON events (time);
CREATE INDEX events_agent_time ON events (agent, time);

CREATE TABLE store_batches (
  batch_id     TEXT PRIMARY KEY,
  samples      INTEGER NOT NULL,
  events       INTEGER NOT NULL,
  committed_at INTEGER NOT NULL
);
CREATE INDEX store_batches_committed_at ON store_batches (committed_at);
