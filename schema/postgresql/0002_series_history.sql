-- netpower-manager, PostgreSQL: compact history keyed by series. Replaces the row-per-value
-- `samples` table (84 bytes per value) with
--   series          one row per (agent, kind, key, metric): a 4-byte id;
--   samples_raw     what the writer COPYs: (series_id, time, value), partitioned by hour
--                   (samples_raw_pYYYYMMDDHH), a btree on (series_id, time); only the last hour or
--                   two live here;
--   samples_hourly  one row per series and hour: offsets (milliseconds into the hour) and values,
--                   in time order; partitioned by day (samples_pYYYYMMDD) for retention. The
--                   store's maintenance moves each finished raw hour here and drops its partition.
-- Times are integer microseconds since the Unix epoch (as in SQLite). A row moves from raw to
-- hourly in one transaction, so a query that reads both sees each value once. The existing rows
-- are converted here, in this migration's transaction; `samples` becomes a view with the old
-- columns, for people and scripts (the store's queries use the tables).

CREATE TABLE series (
  id     integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  agent  text NOT NULL,
  kind   text NOT NULL,
  key    text NOT NULL,
  metric text NOT NULL,
  UNIQUE (agent, kind, key, metric)
);

CREATE TABLE samples_raw (
  series_id integer NOT NULL,
  time      bigint NOT NULL,
  value     double precision NOT NULL
) PARTITION BY RANGE (time);
CREATE INDEX samples_raw_series_time ON samples_raw (series_id, time);

CREATE TABLE samples_hourly (
  series_id integer NOT NULL,
  hour      bigint NOT NULL,       -- the hour's start, microseconds since the epoch
  offsets   integer[] NOT NULL,    -- milliseconds since `hour`, ascending
  vals      double precision[] NOT NULL,
  PRIMARY KEY (series_id, hour)
) PARTITION BY RANGE (hour);

INSERT INTO series (agent, kind, key, metric)
  SELECT DISTINCT agent, kind, key, metric FROM samples ORDER BY 1, 2, 3, 4;

DO $$
DECLARE
  d date;
BEGIN
  FOR d IN SELECT DISTINCT (time AT TIME ZONE 'UTC')::date FROM samples LOOP
    EXECUTE format(
      'CREATE TABLE samples_hourly_p%s PARTITION OF samples_hourly FOR VALUES FROM (%s) TO (%s)',
      to_char(d, 'YYYYMMDD'),
      (extract(epoch FROM d::timestamp) * 1000000)::bigint,
      (extract(epoch FROM (d + 1)::timestamp) * 1000000)::bigint);
  END LOOP;
END $$;

INSERT INTO samples_hourly (series_id, hour, offsets, vals)
  SELECT series_id, hour,
         array_agg(((us - hour) / 1000)::integer ORDER BY us, value),
         array_agg(value ORDER BY us, value)
    FROM (SELECT s.id AS series_id, o.value,
                 (extract(epoch FROM o.time) * 1000000)::bigint AS us,
                 (extract(epoch FROM date_trunc('hour', o.time AT TIME ZONE 'UTC')) * 1000000)::bigint AS hour
            FROM samples o JOIN series s USING (agent, kind, key, metric)) x
   GROUP BY series_id, hour;

DROP TABLE samples;

-- The old partitions of the same days were dropped with `samples`: the new ones take their names.
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'samples_hourly'::regclass LOOP
    EXECUTE format('ALTER TABLE %I RENAME TO %I', r.relname,
                   'samples_p' || substr(r.relname, length('samples_hourly_p') + 1));
  END LOOP;
END $$;

CREATE VIEW samples AS
  SELECT timestamptz 'epoch' + r.time * interval '1 microsecond' AS time,
         s.agent, s.kind, s.key, s.metric, r.value
    FROM samples_raw r JOIN series s ON s.id = r.series_id
  UNION ALL
  SELECT timestamptz 'epoch' + (h.hour + u.ms::bigint * 1000) * interval '1 microsecond',
         s.agent, s.kind, s.key, s.metric, u.value
    FROM samples_hourly h JOIN series s ON s.id = h.series_id,
         unnest(h.offsets, h.vals) AS u(ms, value);

-- Events: newest first over everything, or by kind; (agent, time) exists. A btree on (time, id)
-- gives the order the queries page in; it replaces the BRIN index.
DROP INDEX events_time_brin;
CREATE INDEX events_time_id ON events (time, id);
CREATE INDEX events_kind_time ON events (kind, time);
