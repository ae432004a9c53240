-- 0032: the summary's counters (0003) kept by static SQL (issue 18). The
-- alert and mail triggers built their query text at every statement and
-- ran it with EXECUTE, so PostgreSQL planned it every time: most of the
-- CPU of an acknowledgement. The same sums, read from the transition
-- tables by statements plpgsql plans once per session.

-- The net change of one statement: rows_new count +1, rows_old -1.
CREATE FUNCTION alert_stats_add(rows_new alerts[], rows_old alerts[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    WITH src AS (
        SELECT n.*, 1 AS sign FROM unnest(rows_new) n
        UNION ALL
        SELECT o.*, -1 AS sign FROM unnest(rows_old) o),
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
        OR coalesce(sum(secs) FILTER (WHERE kind = 'acked'), 0) <> 0;
END $$;

CREATE OR REPLACE FUNCTION alert_stats_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM alert_stats_add(ARRAY(SELECT n::alerts FROM new_rows n), '{}');
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM alert_stats_add('{}', ARRAY(SELECT o::alerts FROM old_rows o));
    ELSE
        PERFORM alert_stats_add(ARRAY(SELECT n::alerts FROM new_rows n),
                                ARRAY(SELECT o::alerts FROM old_rows o));
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION mail_stats_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO counter_deltas (name, n)
        SELECT 'mail:dead', count(*) FROM new_rows WHERE status = 'dead' HAVING count(*) <> 0;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO counter_deltas (name, n)
        SELECT 'mail:dead', -count(*) FROM old_rows WHERE status = 'dead' HAVING count(*) <> 0;
    ELSE
        INSERT INTO counter_deltas (name, n)
        SELECT 'mail:dead', sum(s) FROM (
            SELECT 1 AS s FROM new_rows WHERE status = 'dead'
            UNION ALL
            SELECT -1 FROM old_rows WHERE status = 'dead') x
        HAVING sum(s) <> 0;
    END IF;
    RETURN NULL;
END $$;
