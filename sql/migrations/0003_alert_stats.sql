-- Exact dashboard counters without scanning alerts: every change to the
-- alerts table appends deltas (statement triggers, insert only, so they
-- never lock against each other), and compact_alert_stats() folds them
-- into one row per key now and then (goldwatch-evaluate calls it).
--
--   alert_open_deltas:  open alerts by (state, severity)
--   alert_hour_deltas:  per hour: alerts resolved, alerts acknowledged and
--                       the seconds they took to acknowledge
--
-- A window such as "the last 24 hours" sums the whole hours inside it and
-- counts the partial hour at its start from the alerts' own indexes, so the
-- figures are exact, not rounded to the hour.

CREATE TABLE alert_open_deltas (
    id        bigserial PRIMARY KEY,
    state     text NOT NULL,
    severity  text NOT NULL,
    n         bigint NOT NULL
);

CREATE TABLE alert_hour_deltas (
    id            bigserial PRIMARY KEY,
    hour          timestamptz NOT NULL,
    resolved      bigint NOT NULL DEFAULT 0,
    acked         bigint NOT NULL DEFAULT 0,
    ack_seconds   double precision NOT NULL DEFAULT 0
);
CREATE INDEX alert_hour_deltas_hour ON alert_hour_deltas (hour) INCLUDE (resolved, acked, ack_seconds);

-- The net change of one statement, from its transition tables: new rows
-- count +1, old rows -1 (an acknowledged alert that resolves moves nothing
-- in the acknowledgement hours). Only fixed SQL text is executed here.
CREATE FUNCTION alert_stats_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    src text;
BEGIN
    src := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT n.*, 1 AS sign FROM new_rows n'
        WHEN 'DELETE' THEN 'SELECT o.*, -1 AS sign FROM old_rows o'
        ELSE 'SELECT n.*, 1 AS sign FROM new_rows n UNION ALL SELECT o.*, -1 FROM old_rows o'
    END;
    EXECUTE format($q$
        WITH src AS (%s),
        d AS (
            SELECT 'open' AS kind, state, severity, NULL::timestamptz AS hour,
                   sign::bigint AS n, 0::float8 AS secs
              FROM src WHERE state IN ('firing', 'acknowledged')
            UNION ALL
            SELECT 'resolved', NULL, NULL, date_trunc('hour', resolved_at, 'UTC'), sign, 0
              FROM src WHERE state = 'resolved'
            UNION ALL
            SELECT 'acked', NULL, NULL, date_trunc('hour', acknowledged_at, 'UTC'), sign,
                   sign * extract(epoch FROM acknowledged_at - triggered_at)
              FROM src WHERE acknowledged_at IS NOT NULL),
        o AS (INSERT INTO alert_open_deltas (state, severity, n)
              SELECT state, severity, sum(n) FROM d WHERE kind = 'open'
               GROUP BY state, severity HAVING sum(n) <> 0)
        INSERT INTO alert_hour_deltas (hour, resolved, acked, ack_seconds)
        SELECT hour, coalesce(sum(n) FILTER (WHERE kind = 'resolved'), 0),
               coalesce(sum(n) FILTER (WHERE kind = 'acked'), 0),
               coalesce(sum(secs) FILTER (WHERE kind = 'acked'), 0)
          FROM d WHERE kind <> 'open'
         GROUP BY hour
        HAVING coalesce(sum(n) FILTER (WHERE kind = 'resolved'), 0) <> 0
            OR coalesce(sum(n) FILTER (WHERE kind = 'acked'), 0) <> 0
            OR coalesce(sum(secs) FILTER (WHERE kind = 'acked'), 0) <> 0
    $q$, src);
    RETURN NULL;
END $$;

CREATE TRIGGER alert_stats_insert AFTER INSERT ON alerts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION alert_stats_apply();
CREATE TRIGGER alert_stats_update AFTER UPDATE ON alerts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION alert_stats_apply();
CREATE TRIGGER alert_stats_delete AFTER DELETE ON alerts
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION alert_stats_apply();

-- Folds the deltas into one row per key (and drops hours no window needs).
-- Totals never change: the rows it deletes are summed in the same statement.
CREATE FUNCTION compact_alert_stats() RETURNS void
LANGUAGE sql AS $$
    WITH d AS (DELETE FROM alert_open_deltas RETURNING state, severity, n)
    INSERT INTO alert_open_deltas (state, severity, n)
    SELECT state, severity, sum(n) FROM d GROUP BY state, severity HAVING sum(n) <> 0;
    WITH d AS (DELETE FROM alert_hour_deltas RETURNING hour, resolved, acked, ack_seconds)
    INSERT INTO alert_hour_deltas (hour, resolved, acked, ack_seconds)
    SELECT hour, sum(resolved), sum(acked), sum(ack_seconds) FROM d
     WHERE hour > now() - interval '8 days'
     GROUP BY hour HAVING sum(resolved) <> 0 OR sum(acked) <> 0 OR sum(ack_seconds) <> 0;
$$;

-- What exists already.
INSERT INTO alert_open_deltas (state, severity, n)
SELECT state, severity, count(*) FROM alerts
 WHERE state IN ('firing', 'acknowledged') GROUP BY state, severity;
INSERT INTO alert_hour_deltas (hour, resolved, acked, ack_seconds)
SELECT hour, sum(r), sum(a), sum(s) FROM (
    SELECT date_trunc('hour', resolved_at, 'UTC') AS hour, 1 AS r, 0 AS a, 0::float8 AS s
      FROM alerts WHERE state = 'resolved' AND resolved_at > now() - interval '8 days'
    UNION ALL
    SELECT date_trunc('hour', acknowledged_at, 'UTC'), 0, 1,
           extract(epoch FROM acknowledged_at - triggered_at)
      FROM alerts WHERE acknowledged_at > now() - interval '8 days') x
 GROUP BY hour;
