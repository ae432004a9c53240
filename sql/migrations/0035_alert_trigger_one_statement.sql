-- 0035: the alert row trigger (0034) in one statement (issue 18).
-- An acknowledgement ran three statements inside alerts_changed(): the
-- counter deltas, the hour deltas (an aggregate over four candidate rows)
-- and PERFORM read_version_move(), itself a second plpgsql call with its
-- own UPDATE. Each statement started and ended an executor of its own;
-- together they were a fifth of the server's time per acknowledgement.
-- Now one statement writes both kinds of delta and moves the read
-- version, and the hour deltas are plain rows, one per moment that
-- moved: the readers sum by hour and compact_alert_stats() folds them,
-- so a resolve and an acknowledgement in the same hour need not be
-- summed here first. The UPDATE of read_version is read_version_move()'s
-- (0034), written out here to spare the nested call.

CREATE OR REPLACE FUNCTION alerts_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    was text := CASE WHEN OLD.state IN ('firing', 'acknowledged')
                     THEN 'open:' || OLD.state || ':' || OLD.severity END;
    now_is text := CASE WHEN NEW.state IN ('firing', 'acknowledged')
                        THEN 'open:' || NEW.state || ':' || NEW.severity END;
    old_resolved timestamptz := CASE WHEN OLD.state = 'resolved' THEN OLD.resolved_at END;
    new_resolved timestamptz := CASE WHEN NEW.state = 'resolved' THEN NEW.resolved_at END;
    resolved_moved boolean := old_resolved IS DISTINCT FROM new_resolved;
    acked_moved boolean := (OLD.acknowledged_at, OLD.triggered_at)
                           IS DISTINCT FROM (NEW.acknowledged_at, NEW.triggered_at);
BEGIN
    WITH counted AS (
        INSERT INTO counter_deltas (name, n)
        SELECT k, d FROM (VALUES (was, -1), (now_is, 1)) v(k, d)
         WHERE k IS NOT NULL AND was IS DISTINCT FROM now_is),
    hours AS (
        INSERT INTO alert_hour_deltas (hour, resolved, acked, ack_seconds)
        SELECT date_trunc('hour', t, 'UTC'), r, a, s FROM (VALUES
            (old_resolved, -1, 0, 0::float8, resolved_moved),
            (new_resolved, 1, 0, 0::float8, resolved_moved),
            (OLD.acknowledged_at, 0, -1,
             -extract(epoch FROM OLD.acknowledged_at - OLD.triggered_at)::float8, acked_moved),
            (NEW.acknowledged_at, 0, 1,
             extract(epoch FROM NEW.acknowledged_at - NEW.triggered_at)::float8, acked_moved)
        ) v(t, r, a, s, moved)
         WHERE t IS NOT NULL AND moved)
    UPDATE read_version SET n = n + 1 WHERE shard = pg_backend_pid() % 64;
    RETURN NULL;
END $$;
