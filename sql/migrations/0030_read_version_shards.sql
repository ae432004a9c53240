-- 0030: the read version in 64 shards (issue 18). One row moved by every
-- alert-changing transaction made them wait on each other from their
-- write to their commit, WAL flush included: one commit at a time. Now
-- each transaction moves the shard of its session (its backend's pid
-- modulo 64), so writers on different connections commit in parallel.
--
-- The read version is the sum of the shards. It stays exact: every
-- change adds one to some shard, visible exactly when the change is, and
-- nothing ever subtracts, so the sum read with an answer is the same
-- later only if no change committed in between.
ALTER TABLE read_version ADD COLUMN shard smallint NOT NULL DEFAULT 0;
ALTER TABLE read_version DROP COLUMN only_row;
ALTER TABLE read_version ADD PRIMARY KEY (shard);
ALTER TABLE read_version ALTER COLUMN shard DROP DEFAULT;
ALTER TABLE read_version ADD CHECK (shard >= 0 AND shard < 64);
INSERT INTO read_version (shard, n) SELECT s, 0 FROM generate_series(1, 63) s;

-- The triggers read their transition table with static SQL (planned once
-- per session, where 0005's EXECUTE planned a query at every statement):
-- one function per kind of trigger, one place that moves the shard.
CREATE FUNCTION read_version_move() RETURNS void
LANGUAGE sql AS $$
    UPDATE read_version SET n = n + 1 WHERE shard = pg_backend_pid() % 64;
$$;

CREATE FUNCTION read_version_new_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows) THEN
        PERFORM read_version_move();
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION read_version_old_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM old_rows) THEN
        PERFORM read_version_move();
    END IF;
    RETURN NULL;
END $$;

-- the last evaluation (other jobs' runs show nowhere cached)
CREATE FUNCTION read_version_evaluate_run() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows WHERE job = 'evaluate') THEN
        PERFORM read_version_move();
    END IF;
    RETURN NULL;
END $$;

-- dead mail: a 'mail:dead' delta (0003)
CREATE FUNCTION read_version_dead_mail() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows WHERE name = 'mail:dead') THEN
        PERFORM read_version_move();
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER read_version_alerts_insert ON alerts;
DROP TRIGGER read_version_alerts_update ON alerts;
DROP TRIGGER read_version_alerts_delete ON alerts;
DROP TRIGGER read_version_rules_insert ON alert_rules;
DROP TRIGGER read_version_rules_update ON alert_rules;
DROP TRIGGER read_version_rules_delete ON alert_rules;
DROP TRIGGER read_version_job_runs_insert ON job_runs;
DROP TRIGGER read_version_job_runs_update ON job_runs;
DROP TRIGGER read_version_counters_insert ON counter_deltas;
DROP FUNCTION read_version_bump();

CREATE TRIGGER read_version_alerts_insert AFTER INSERT ON alerts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION read_version_new_rows();
CREATE TRIGGER read_version_alerts_update AFTER UPDATE ON alerts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION read_version_new_rows();
CREATE TRIGGER read_version_alerts_delete AFTER DELETE ON alerts
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION read_version_old_rows();
CREATE TRIGGER read_version_rules_insert AFTER INSERT ON alert_rules
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION read_version_new_rows();
CREATE TRIGGER read_version_rules_update AFTER UPDATE ON alert_rules
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION read_version_new_rows();
CREATE TRIGGER read_version_rules_delete AFTER DELETE ON alert_rules
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION read_version_old_rows();
CREATE TRIGGER read_version_job_runs_insert AFTER INSERT ON job_runs
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION read_version_evaluate_run();
CREATE TRIGGER read_version_job_runs_update AFTER UPDATE ON job_runs
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION read_version_evaluate_run();
CREATE TRIGGER read_version_counters_insert AFTER INSERT ON counter_deltas
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION read_version_dead_mail();
