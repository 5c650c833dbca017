-- netpower-manager, SQLite: history keyed by series. `series` names each (agent, kind, key,
-- metric) once; `samples_raw` holds (series_id, time, value) with one index on (series_id, time),
-- so a series' range is an index range read. The existing rows are converted here; `samples`
-- becomes a view with the old columns. (PostgreSQL also compacts finished hours into array rows;
-- SQLite, the embedded backend for small fleets, keeps plain rows.)

CREATE TABLE series (
  id     INTEGER PRIMARY KEY,
  agent  TEXT NOT NULL,
  kind   TEXT NOT NULL,
  key    TEXT NOT NULL,
  metric TEXT NOT NULL,
  UNIQUE (agent, kind, key, metric)
);

CREATE TABLE samples_raw (
  series_id INTEGER NOT NULL,
  time      INTEGER NOT NULL,
  value     REAL NOT NULL
);

INSERT INTO series (agent, kind, key, metric)
  SELECT DISTINCT agent, kind, key, metric FROM samples ORDER BY 1, 2, 3, 4;
INSERT INTO samples_raw (series_id, time, value)
  SELECT s.id, o.time, o.value
    FROM samples o JOIN series s
      ON s.agent = o.agent AND s.kind = o.kind AND s.key = o.key AND s.metric = o.metric
   ORDER BY s.id, o.time;
DROP TABLE samples;
CREATE INDEX samples_raw_series_time ON samples_raw (series_id, time);

CREATE VIEW samples AS
  SELECT r.time, s.agent, s.kind, s.key, s.metric, r.value
    FROM samples_raw r JOIN series s ON s.id = r.series_id;

-- Events by kind, newest first; events_time (time, and the rowid id) and events_agent_time exist.
CREATE INDEX events_kind_time ON events (kind, time);
