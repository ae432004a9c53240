-- The read version: one number that changes in every transaction that
-- changes what the summary or the alert history shows (alerts, rules, the
-- evaluate job's last run, the count of dead mail). goldwatch-api keeps
-- those answers and serves them again while the number is the same.
--
-- Why a row and not a sequence: the row is updated inside the changing
-- transaction, so the new number becomes visible exactly when the change
-- does (a sequence moves before the commit, and commits can come in another
-- order than their numbers). Writers of alerts queue on this row only from
-- their write to their commit; they already queue on the events lock for
-- about that long (0001), and the row is taken before that lock, always.
-- Statements that change no row do not touch it.

CREATE TABLE read_version (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    n         bigint NOT NULL
);
INSERT INTO read_version (n) VALUES (1);

CREATE FUNCTION read_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed boolean;
BEGIN
    -- TG_ARGV[0]: the transition table to look at; TG_ARGV[1]: a condition
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %s)', TG_ARGV[0],
                   coalesce(TG_ARGV[1], 'true'))
       INTO STRICT changed;
    IF changed THEN
        UPDATE read_version SET n = n + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER read_version_alerts_insert AFTER INSERT ON alerts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION read_version_bump('new_rows');
CREATE TRIGGER read_version_alerts_update AFTER UPDATE ON alerts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION read_version_bump('new_rows');
CREATE TRIGGER read_version_alerts_delete AFTER DELETE ON alerts
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION read_version_bump('old_rows');

CREATE TRIGGER read_version_rules_insert AFTER INSERT ON alert_rules
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION read_version_bump('new_rows');
CREATE TRIGGER read_version_rules_update AFTER UPDATE ON alert_rules
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION read_version_bump('new_rows');
CREATE TRIGGER read_version_rules_delete AFTER DELETE ON alert_rules
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION read_version_bump('old_rows');

-- the last evaluation (other jobs' runs show nowhere cached)
CREATE TRIGGER read_version_job_runs_insert AFTER INSERT ON job_runs
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION read_version_bump('new_rows', 'job = ''evaluate''');
CREATE TRIGGER read_version_job_runs_update AFTER UPDATE ON job_runs
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION read_version_bump('new_rows', 'job = ''evaluate''');

-- dead mail: the mail counters (0003) write a 'mail:dead' delta when the
-- count moves (and compaction rewrites it)
CREATE TRIGGER read_version_counters_insert AFTER INSERT ON counter_deltas
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION read_version_bump('new_rows', 'name = ''mail:dead''');
