-- netpower-manager, PostgreSQL: agents, samples (daily partitions, created by the store), events,
-- and the ledger of committed batches. Applied once, in one transaction, recorded in
-- schema_migrations (created by the migration runner).

CREATE TABLE agents (
  name       text PRIMARY KEY,
  address    text NOT NULL,
  port       integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
  version    text NOT NULL,
  labels     jsonb NOT NULL DEFAULT '{}',
  first_seen timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per value: kind is chain|board|port|ups|agent, key the object ("A1", "C", ""), metric a
-- NUT-style name in base units ("outlet.current"). Partitioned by day (samples_pYYYYMMDD); the
-- store creates partitions ahead of time and drops whole partitions for retention. No foreign key
-- to agents: history outlives an agent's removal from the configuration, and COPY stays cheap.
CREATE TABLE samples (
  time   timestamptz NOT NULL,
  agent  text NOT NULL,
  kind   text NOT NULL,
  key    text NOT NULL,
  metric text NOT NULL,
  value  double precision NOT NULL
) PARTITION BY RANGE (time);

-- Rows arrive in time order, so a BRIN index on time is tiny and keeps range scans cheap.
CREATE INDEX samples_time_brin ON samples USING brin (time);

CREATE TABLE events (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  time     timestamptz NOT NULL,
  agent    text NOT NULL,
  kind     text NOT NULL,  -- trap|up|down|threshold|action
  oid      text NOT NULL,  -- the trap's snmpTrapOID, '' for other kinds
  varbinds jsonb NOT NULL,
  text     text NOT NULL
);
CREATE INDEX events_time_brin ON events USING brin (time);
CREATE INDEX events_agent_time ON events (agent, time);

-- Every committed batch, written in the batch's own transaction: a batch replayed after an
-- uncertain commit (connection lost during COMMIT, crash before its spool file was removed) finds
-- its id here and is skipped. Rows older than the ledger retention are deleted.
CREATE TABLE store_batches (
  batch_id     text PRIMARY KEY,
  samples      integer NOT NULL,
  events       integer NOT NULL,
  committed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX store_batches_committed_at ON store_batches (committed_at);
