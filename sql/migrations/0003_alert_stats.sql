-- Exact dashboard counters without scanning alerts, rules or mail: every
-- change to those tables appends deltas (statement triggers, insert only,
-- so they never lock against each other), and compact_alert_stats() folds
-- them into one row per key now and then (goldwatch-evaluate calls it).
--
--   counter_deltas:     named counts: open:<state>:<severity>, rules:total,
--                       rules:enabled, mail:dead
--   alert_hour_deltas:  per hour: alerts resolved, alerts acknowledged and
--                       the seconds they took to acknowledge
--
-- A window such as "the last 24 hours" sums the whole hours inside it and
-- counts the partial hour at its start from the alerts' own indexes, so the
-- figures are exact, not rounded to the hour.

CREATE TABLE counter_deltas (
    id    bigserial PRIMARY KEY,
    name  text NOT NULL,
    n     bigint NOT NULL
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
            SELECT 'open:' || state || ':' || severity AS kind, NULL::timestamptz AS hour,
                   sign::bigint AS n, 0::float8 AS secs
              FROM src WHERE state IN ('firing', 'acknowledged')
            UNION ALL
            SELECT 'resolved', date_trunc('hour', resolved_at, 'UTC'), sign, 0
              FROM src WHERE state = 'resolved'
            UNION ALL
            SELECT 'acked', date_trunc('hour', acknowledged_at, 'UTC'), sign,
                   sign * extract(epoch FROM acknowledged_at - triggered_at)
              FROM src WHERE acknowledged_at IS NOT NULL),
        o AS (INSERT INTO counter_deltas (name, n)
              SELECT kind, sum(n) FROM d WHERE hour IS NULL
               GROUP BY kind HAVING sum(n) <> 0)
        INSERT INTO alert_hour_deltas (hour, resolved, acked, ack_seconds)
        SELECT hour, coalesce(sum(n) FILTER (WHERE kind = 'resolved'), 0),
               coalesce(sum(n) FILTER (WHERE kind = 'acked'), 0),
               coalesce(sum(secs) FILTER (WHERE kind = 'acked'), 0)
          FROM d WHERE hour IS NOT NULL
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

-- Rules (total, enabled) and dead mail, the same way.
CREATE FUNCTION rule_stats_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    src text;
BEGIN
    src := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT n.enabled, 1 AS sign FROM new_rows n'
        WHEN 'DELETE' THEN 'SELECT o.enabled, -1 AS sign FROM old_rows o'
        ELSE 'SELECT n.enabled, 1 AS sign FROM new_rows n UNION ALL SELECT o.enabled, -1 FROM old_rows o'
    END;
    EXECUTE format($q$
        INSERT INTO counter_deltas (name, n)
        SELECT name, sum(sign) FROM (
            SELECT 'rules:total' AS name, sign FROM (%1$s) s
            UNION ALL
            SELECT 'rules:enabled', sign FROM (%1$s) s WHERE enabled) x
         GROUP BY name HAVING sum(sign) <> 0
    $q$, src);
    RETURN NULL;
END $$;

CREATE TRIGGER rule_stats_insert AFTER INSERT ON alert_rules
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rule_stats_apply();
CREATE TRIGGER rule_stats_update AFTER UPDATE ON alert_rules
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rule_stats_apply();
CREATE TRIGGER rule_stats_delete AFTER DELETE ON alert_rules
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rule_stats_apply();

CREATE FUNCTION mail_stats_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    src text;
BEGIN
    src := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT n.status, 1 AS sign FROM new_rows n'
        WHEN 'DELETE' THEN 'SELECT o.status, -1 AS sign FROM old_rows o'
        ELSE 'SELECT n.status, 1 AS sign FROM new_rows n UNION ALL SELECT o.status, -1 FROM old_rows o'
    END;
    EXECUTE format($q$
        INSERT INTO counter_deltas (name, n)
        SELECT 'mail:dead', sum(sign) FROM (%s) s WHERE status = 'dead'
        HAVING sum(sign) <> 0
    $q$, src);
    RETURN NULL;
END $$;

CREATE TRIGGER mail_stats_insert AFTER INSERT ON mail_outbox
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mail_stats_apply();
CREATE TRIGGER mail_stats_update AFTER UPDATE ON mail_outbox
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mail_stats_apply();
CREATE TRIGGER mail_stats_delete AFTER DELETE ON mail_outbox
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mail_stats_apply();

-- Folds the deltas into one row per key (and drops hours no window needs).
-- Totals never change: the rows it deletes are summed in the same statement.
CREATE FUNCTION compact_alert_stats() RETURNS void
LANGUAGE sql AS $$
    WITH d AS (DELETE FROM counter_deltas RETURNING name, n)
    INSERT INTO counter_deltas (name, n)
    SELECT name, sum(n) FROM d GROUP BY name HAVING sum(n) <> 0;
    WITH d AS (DELETE FROM alert_hour_deltas RETURNING hour, resolved, acked, ack_seconds)
    INSERT INTO alert_hour_deltas (hour, resolved, acked, ack_seconds)
    SELECT hour, sum(resolved), sum(acked), sum(ack_seconds) FROM d
     WHERE hour > now() - interval '8 days'
     GROUP BY hour HAVING sum(resolved) <> 0 OR sum(acked) <> 0 OR sum(ack_seconds) <> 0;
$$;

-- What exists already.
INSERT INTO counter_deltas (name, n)
SELECT 'open:' || state || ':' || severity, count(*) FROM alerts
 WHERE state IN ('firing', 'acknowledged') GROUP BY state, severity;
INSERT INTO counter_deltas (name, n) SELECT 'rules:total', count(*) FROM alert_rules;
INSERT INTO counter_deltas (name, n) SELECT 'rules:enabled', count(*) FROM alert_rules WHERE enabled;
INSERT INTO counter_deltas (name, n) SELECT 'mail:dead', count(*) FROM mail_outbox WHERE status = 'dead';
INSERT INTO alert_hour_deltas (hour, resolved, acked, ack_seconds)
SELECT hour, sum(r), sum(a), sum(s) FROM (
    SELECT date_trunc('hour', resolved_at, 'UTC') AS hour, 1 AS r, 0 AS a, 0::float8 AS s
      FROM alerts WHERE state = 'resolved' AND resolved_at > now() - interval '8 days'
    UNION ALL
    SELECT date_trunc('hour', acknowledged_at, 'UTC'), 0, 1,
           extract(epoch FROM acknowledged_at - triggered_at)
      FROM alerts WHERE acknowledged_at > now() - interval '8 days') x
 GROUP BY hour;
