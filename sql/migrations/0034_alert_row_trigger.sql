-- 0034: what an alert-changing transaction costs the database (issue 18).
-- A profile of acknowledgements with 8 writers put a quarter of the
-- server's time in the triggers an alert UPDATE fires: two statement
-- triggers, each capturing the old and new rows in transition tables and
-- running plpgsql with a CTE plan built afresh per statement, plus a third
-- trigger on counter_deltas that every delta insert fired to look for a
-- 'mail:dead' row. Now:
--
--   * An UPDATE of alerts fires one row trigger, alerts_changed, that
--     writes the summary's deltas (0003) for what the row changed and
--     moves the read version (0030). The sums are those of
--     alert_stats_add() (0032), split by row: nothing is written for a
--     row whose counted columns stayed, and the hour deltas are written
--     only when its state or its moments moved. INSERT and
--     DELETE keep their statement triggers (one per evaluation, rare).
--   * counter_deltas and alert_hour_deltas lose their ids: nothing reads
--     them (the readers sum by name or hour, compact_alert_stats() folds
--     by name and hour), and each was a sequence call and a primary key
--     entry per delta.
--   * read_version_move() is plpgsql: its UPDATE is planned once per
--     session (a LANGUAGE sql function called from plpgsql was parsed
--     and planned again in every transaction).
--   * The dead-mail read version moves where the 'mail:dead' delta is
--     written (mail_stats_apply), and counter_deltas has no trigger.

CREATE OR REPLACE FUNCTION read_version_move() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE read_version SET n = n + 1 WHERE shard = pg_backend_pid() % 64;
END $$;

CREATE FUNCTION alerts_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    was text := CASE WHEN OLD.state IN ('firing', 'acknowledged')
                     THEN 'open:' || OLD.state || ':' || OLD.severity END;
    now_is text := CASE WHEN NEW.state IN ('firing', 'acknowledged')
                        THEN 'open:' || NEW.state || ':' || NEW.severity END;
BEGIN
    IF was IS DISTINCT FROM now_is THEN
        INSERT INTO counter_deltas (name, n)
        SELECT k, d FROM (VALUES (was, -1), (now_is, 1)) v(k, d) WHERE k IS NOT NULL;
    END IF;
    IF (OLD.state, OLD.resolved_at, OLD.acknowledged_at, OLD.triggered_at)
       IS DISTINCT FROM (NEW.state, NEW.resolved_at, NEW.acknowledged_at, NEW.triggered_at) THEN
        INSERT INTO alert_hour_deltas (hour, resolved, acked, ack_seconds)
        SELECT hour, sum(r), sum(a), sum(s) FROM (VALUES
            (CASE WHEN OLD.state = 'resolved' THEN date_trunc('hour', OLD.resolved_at, 'UTC') END,
             -1, 0, 0::float8),
            (CASE WHEN NEW.state = 'resolved' THEN date_trunc('hour', NEW.resolved_at, 'UTC') END,
             1, 0, 0::float8),
            (date_trunc('hour', OLD.acknowledged_at, 'UTC'),
             0, -1, -extract(epoch FROM OLD.acknowledged_at - OLD.triggered_at)::float8),
            (date_trunc('hour', NEW.acknowledged_at, 'UTC'),
             0, 1, extract(epoch FROM NEW.acknowledged_at - NEW.triggered_at)::float8)
        ) v(hour, r, a, s)
         WHERE hour IS NOT NULL
         GROUP BY hour
        HAVING sum(r) <> 0 OR sum(a) <> 0 OR sum(s) <> 0;
    END IF;
    PERFORM read_version_move();
    RETURN NULL;
END $$;

DROP TRIGGER alert_stats_update ON alerts;
DROP TRIGGER read_version_alerts_update ON alerts;
CREATE TRIGGER alerts_changed AFTER UPDATE ON alerts
    FOR EACH ROW EXECUTE FUNCTION alerts_changed();

ALTER TABLE counter_deltas DROP COLUMN id;
ALTER TABLE alert_hour_deltas DROP COLUMN id;

DROP TRIGGER read_version_counters_insert ON counter_deltas;
DROP FUNCTION read_version_dead_mail();

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
    -- the summary shows the dead mail: a change to it is a new read version
    IF FOUND THEN
        PERFORM read_version_move();
    END IF;
    RETURN NULL;
END $$;
