-- netpower-manager, PostgreSQL: compact history keyed by series. Replaces the row-per-value
-- `samples` table (84 bytes per value) with
--   series          one row per (agent, kind, key, metric): a 4-byte id;
--   samples_raw     what the writer COPYs: (series_id, time, value), partitioned by hour
--                   (samples_raw_pYYYYMMDDHH), a btree on (series_id, time); only the last hour or
--                   two live here;
--   samples_hourly  one row per series and hour: offsets (milliseconds into the hour) and values,
--                   in time order; partitioned by day (samples_pYYYYMMDD) for retention. The
--                   store's maintenance moves each finished raw hour here and drops its partition.
--                   The values are float4 (vals4) when every one of them reads back exactly from
--                   its float4 text (what sensors report: 12.34 A, 230 V, 98 %), else float8
--                   (vals); samples_values() gives them back as float8 either way.
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
  vals      double precision[],    -- the values, or NULL when they are in vals4
  vals4     real[],
  PRIMARY KEY (series_id, hour),
  CHECK ((vals IS NULL) <> (vals4 IS NULL))
) PARTITION BY RANGE (hour);

-- True when every value equals the double read from its float4's shortest text (1.2 -> 1.2f ->
-- '1.2' -> 1.2): float4 then keeps the values exactly as they were written. Needs
-- extra_float_digits >= 1 (the default; the store sets it).
CREATE FUNCTION samples_fit_real(v double precision[]) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(bool_and(CASE WHEN x = 0 THEN true
                                WHEN abs(x) < 1.18e-38 OR abs(x) > 3.4e38 THEN false
                                ELSE x::real::text::double precision = x END), true)
    FROM unnest(v) AS x
$$;

-- The values of an hour row as float8.
CREATE FUNCTION samples_values(vals double precision[], vals4 real[]) RETURNS double precision[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(vals, vals4::text::double precision[])
$$;

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

SET LOCAL extra_float_digits = 1;
INSERT INTO samples_hourly (series_id, hour, offsets, vals, vals4)
  SELECT series_id, hour, o, CASE WHEN f THEN NULL ELSE v END, CASE WHEN f THEN v::real[] END
    FROM (SELECT series_id, hour, o, v, samples_fit_real(v) AS f
            FROM (SELECT series_id, hour,
                         array_agg(((us - hour) / 1000)::integer ORDER BY us, value) AS o,
                         array_agg(value ORDER BY us, value) AS v
                    FROM (SELECT s.id AS series_id, o.value,
                                 (extract(epoch FROM o.time) * 1000000)::bigint AS us,
                                 (extract(epoch FROM date_trunc('hour', o.time AT TIME ZONE 'UTC'))
                                   * 1000000)::bigint AS hour
                            FROM samples o JOIN series s USING (agent, kind, key, metric)) x
                   GROUP BY series_id, hour) a) b;

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
         unnest(h.offsets, samples_values(h.vals, h.vals4)) AS u(ms, value);

-- Events: newest first over everything, or by kind; (agent, time) exists. A btree on (time, id)
-- gives the order the queries page in; it replaces the BRIN index.
DROP INDEX events_time_brin;
CREATE INDEX events_time_id ON events (time, id);
CREATE INDEX events_kind_time ON events (kind, time);
