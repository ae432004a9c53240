-- Every escalation goes by an escalation policy (docs/NOTIFICATIONS.md).
--
-- A rule's own escalation (escalation_after_minutes, escalation_recipients:
-- the rule API's "escalation" shorthand) is kept as a policy owned by the
-- rule: an e-mail contact point with its recipients and a one-level policy
-- (after_minutes, that contact point) that runs through its level again
-- up to 10 times, so that GOLDWATCH_ESCALATION_MAX_LEVEL (default 3) caps
-- it exactly as it capped the per-rule escalation before. The rule's
-- escalation_policy_id names that policy. Owned items carry owner_rule_id:
-- they go with the rule, the pages do not offer them for other rules, and
-- the trigger below keeps them equal to the two columns, whoever writes
-- those (the API, a test, an operator's UPDATE).
ALTER TABLE contact_points
    ADD COLUMN owner_rule_id bigint REFERENCES alert_rules (id) ON DELETE CASCADE;
ALTER TABLE escalation_policies
    ADD COLUMN owner_rule_id bigint REFERENCES alert_rules (id) ON DELETE CASCADE;
CREATE UNIQUE INDEX contact_points_owner ON contact_points (owner_rule_id)
    WHERE owner_rule_id IS NOT NULL;
CREATE UNIQUE INDEX escalation_policies_owner ON escalation_policies (owner_rule_id)
    WHERE owner_rule_id IS NOT NULL;

-- Checked at commit: deleting a policy a rule uses is refused by the
-- store with a 409 naming the rules (it looks after the DELETE, in the
-- same transaction), and a rule deleted takes its owned policy with it.
ALTER TABLE alert_rules ALTER CONSTRAINT alert_rules_escalation_policy_id_fkey
    DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX alert_rules_escalation_policy ON alert_rules (escalation_policy_id);

CREATE FUNCTION rule_escalation_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cp bigint;
    ep bigint;
BEGIN
    IF NEW.escalation_after_minutes IS NULL THEN
        UPDATE alert_rules SET escalation_policy_id = NULL
         WHERE id = NEW.id AND escalation_policy_id IN
               (SELECT id FROM escalation_policies WHERE owner_rule_id = NEW.id);
        DELETE FROM escalation_policies WHERE owner_rule_id = NEW.id;
        DELETE FROM contact_points WHERE owner_rule_id = NEW.id;
        RETURN NULL;
    END IF;
    INSERT INTO contact_points (name, kind, settings, owner_rule_id)
    VALUES ('rule #' || NEW.id || ' escalation', 'email',
            jsonb_build_object('addresses', to_jsonb(NEW.escalation_recipients)), NEW.id)
    ON CONFLICT (owner_rule_id) WHERE owner_rule_id IS NOT NULL
    DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()
    RETURNING id INTO cp;
    INSERT INTO escalation_policies (name, levels, repeat, contact_points, owner_rule_id)
    VALUES ('rule #' || NEW.id || ' escalation',
            jsonb_build_array(jsonb_build_object('after_minutes', NEW.escalation_after_minutes,
                                                 'contact_points', jsonb_build_array(cp))),
            10, ARRAY[cp], NEW.id)
    ON CONFLICT (owner_rule_id) WHERE owner_rule_id IS NOT NULL
    DO UPDATE SET levels = EXCLUDED.levels, repeat = EXCLUDED.repeat,
                  contact_points = EXCLUDED.contact_points, updated_at = now()
    RETURNING id INTO ep;
    UPDATE alert_rules SET escalation_policy_id = ep
     WHERE id = NEW.id AND escalation_policy_id IS DISTINCT FROM ep;
    RETURN NULL;
END
$$;

CREATE TRIGGER alert_rules_escalation_sync
    AFTER INSERT OR UPDATE OF escalation_after_minutes, escalation_recipients ON alert_rules
    FOR EACH ROW EXECUTE FUNCTION rule_escalation_sync();

-- The rules that escalate today get their owned policy.
UPDATE alert_rules SET escalation_after_minutes = escalation_after_minutes
 WHERE escalation_after_minutes IS NOT NULL;
