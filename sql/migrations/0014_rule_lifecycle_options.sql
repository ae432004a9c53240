-- Less noise, nothing hidden (issue 14 point 3) and the state a rule shows
-- (point 4).
--
-- recovery_threshold: an open alert resolves only once the value has
-- crossed it (hysteresis); NULL resolves when the condition is false.
-- keep_firing_minutes: the condition must have been clear that long, in a
-- row, before the open alert resolves (rule_state.clear_since). Flapping:
-- flap_changes changes (fire, resolve, problem back) within
-- flap_window_minutes make the rule flapping: one mail says so, the
-- per-change mails are held until no change happened for the window, then
-- one mail says it settled. rule_state.changes holds the moments of the
-- recent changes (microseconds since the epoch, at most flap_changes).
ALTER TABLE alert_rules
    ADD COLUMN recovery_threshold double precision
        CHECK (recovery_threshold <> 'NaN' AND recovery_threshold <> 'Infinity'
               AND recovery_threshold <> '-Infinity'),
    ADD COLUMN keep_firing_minutes integer CHECK (keep_firing_minutes BETWEEN 1 AND 1440),
    ADD COLUMN flap_changes integer NOT NULL DEFAULT 6 CHECK (flap_changes BETWEEN 2 AND 100),
    ADD COLUMN flap_window_minutes integer NOT NULL DEFAULT 60
        CHECK (flap_window_minutes BETWEEN 5 AND 1440);

-- last_outcome: what the last evaluation run saw (evaluated with a value,
-- no data, or inactive outside the rule's active hours), written for every
-- rule of a run by one statement.
ALTER TABLE rule_state
    ADD COLUMN clear_since timestamptz,
    ADD COLUMN flapping boolean NOT NULL DEFAULT false,
    ADD COLUMN changes bigint[] NOT NULL DEFAULT '{}',
    ADD COLUMN last_outcome text CHECK (last_outcome IN ('evaluated', 'no_data', 'inactive'));

ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('fired', 'resolved', 'escalated', 'digest', 'test', 'still_firing',
                    'flapping', 'settled', 'back'));

ALTER TABLE events DROP CONSTRAINT events_type_check;
ALTER TABLE events ADD CONSTRAINT events_type_check
    CHECK (type IN ('alert.fired', 'alert.acknowledged', 'alert.resolved', 'alert.escalated',
                    'rule.changed', 'kpi.sampled', 'rule.flapping', 'rule.settled',
                    'rule.back'));
