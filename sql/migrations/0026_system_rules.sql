-- 0026: goldwatch's own rules (issue 16), the system rules.
--
-- A system rule is an alert rule like the others (enabled, severity,
-- recipients, contact points, escalation, silences and notification
-- policies all apply) whose cause is not a KPI's value but goldwatch's
-- own state, checked by system_check.c: kind 'system' and the check it
-- stands for in system_check. The evaluation never reads them as KPI
-- rules (eval.c selects kind 'kpi' only).
--
-- Every rule keeps a KPI (kpi_key stays NOT NULL, so every join of a rule
-- or an alert with its KPI, in mail, notices, escalation and the pages,
-- keeps working): system rules point at the reserved KPI goldwatch_itself,
-- a push KPI marked deleted so that no list, page, sampling or kpi_stale
-- check ever sees it, and no client can put a rule or a sample on it.

INSERT INTO kpis (key, name, category, unit, description, recommendation, source,
                  deleted_at)
VALUES ('goldwatch_itself', 'goldwatch itself', 'operational', '',
        'Reserved: the KPI of the system rules, which watch goldwatch itself.',
        'See docs/SELF-MONITORING.md for what each system rule means and what to do.',
        'push', timestamptz 'epoch');

ALTER TABLE alert_rules
    ADD COLUMN kind text NOT NULL DEFAULT 'kpi' CHECK (kind IN ('kpi', 'system')),
    ADD COLUMN system_check text UNIQUE
        CHECK (system_check IN ('evaluation_stale', 'job_failed', 'delivery_failing',
                                'pusher_down', 'kpi_stale')),
    ADD CONSTRAINT alert_rules_system_check_kind
        CHECK ((kind = 'system') = (system_check IS NOT NULL)),
    ADD CONSTRAINT alert_rules_system_kpi
        CHECK ((kind = 'system') = (kpi_key = 'goldwatch_itself'));

-- The dashboard's and the summary's rule counts are the shop's rules
-- (a shop with only the system rules still has "no rules" to offer the
-- starter rules for); the system rules are shown apart.
CREATE OR REPLACE FUNCTION rule_stats_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    src text;
BEGIN
    src := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT n.enabled, 1 AS sign FROM new_rows n WHERE n.kind = ''kpi'''
        WHEN 'DELETE' THEN 'SELECT o.enabled, -1 AS sign FROM old_rows o WHERE o.kind = ''kpi'''
        ELSE 'SELECT n.enabled, 1 AS sign FROM new_rows n WHERE n.kind = ''kpi'''
             ' UNION ALL SELECT o.enabled, -1 FROM old_rows o WHERE o.kind = ''kpi'''
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

WITH r AS (
    INSERT INTO alert_rules (name, description, kpi_key, condition, threshold, severity,
                             cooldown_minutes, kind, system_check)
    VALUES
    ('system.evaluation_stale',
     'No successful evaluation for 3 times the evaluation interval (15 minutes): the evaluate timer or job is not running. Checked by the delivery service.',
     'goldwatch_itself', 'gt', 0, 'critical', 0, 'system', 'evaluation_stale'),
    ('system.job_failed',
     'A job''s last run failed (the message names the job and its error). Checked by the delivery service and the evaluation.',
     'goldwatch_itself', 'gt', 0, 'warning', 0, 'system', 'job_failed'),
    ('system.delivery_failing',
     'A message went dead in the last hour, or a channel''s oldest due message waits for more than 10 minutes. Checked by the evaluation.',
     'goldwatch_itself', 'gt', 0, 'critical', 0, 'system', 'delivery_failing'),
    ('system.pusher_down',
     'No pusher heartbeat for a minute, once a pusher has beaten: live updates stopped. Checked by the delivery service and the evaluation.',
     'goldwatch_itself', 'gt', 0, 'critical', 0, 'system', 'pusher_down'),
    ('system.kpi_stale',
     'A pushed KPI with rules on it has had no sample for longer than its max_age_minutes: its feed stopped. Checked by the evaluation.',
     'goldwatch_itself', 'gt', 0, 'warning', 0, 'system', 'kpi_stale')
    RETURNING id)
INSERT INTO rule_state (rule_id) SELECT id FROM r;

-- When a message went dead, for system.delivery_failing ("a dead letter in
-- the last hour"): next_attempt_at of a dead row is the backoff it would
-- have waited, up to an hour after. Set by the database, whichever path
-- gives a message up.
ALTER TABLE mail_outbox ADD COLUMN dead_at timestamptz;
UPDATE mail_outbox SET dead_at = created_at WHERE status = 'dead';
CREATE INDEX mail_outbox_dead_at ON mail_outbox (dead_at) WHERE status = 'dead';

CREATE FUNCTION mail_outbox_dead_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR OLD.status <> 'dead' THEN
        NEW.dead_at := now();
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER mail_outbox_dead_at BEFORE INSERT OR UPDATE OF status ON mail_outbox
    FOR EACH ROW WHEN (NEW.status = 'dead')
    EXECUTE FUNCTION mail_outbox_dead_at();
