-- The notification pipeline (docs/NOTIFICATIONS.md).
--
-- A rule names contact points of its own (contact_points) besides its
-- e-mail recipients, and may take an escalation policy.
ALTER TABLE alert_rules
    ADD COLUMN contact_points bigint[] NOT NULL DEFAULT '{}',
    ADD COLUMN escalation_policy_id bigint REFERENCES escalation_policies (id);
CREATE INDEX alert_rules_cps ON alert_rules USING gin (contact_points);

-- Notices: what a contact point is yet to be told about an alert, written
-- by the transaction that decided it (the evaluation, the escalation, a
-- repeat), each due after its group wait. The delivery service takes the
-- due ones of a contact point and kind together, with every other pending
-- one of them, and turns them into one message in the outbox, in one
-- transaction: a notice is either pending or a message, never lost.
CREATE TABLE notices (
    id                bigserial PRIMARY KEY,
    contact_point_id  bigint NOT NULL REFERENCES contact_points (id) ON DELETE CASCADE,
    alert_id          bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    kind              text NOT NULL CHECK (kind IN ('fired', 'resolved', 'escalated',
                                                    'still_firing', 'repeat', 'flapping',
                                                    'settled', 'back')),
    escalation_level  integer NOT NULL DEFAULT 0,
    due_at            timestamptz NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notices_group ON notices (contact_point_id, kind, due_at);
CREATE INDEX notices_due ON notices (due_at);
CREATE INDEX notices_alert ON notices (alert_id);

CREATE TRIGGER notices_queued_notify AFTER INSERT ON notices
    REFERENCING NEW TABLE AS queued
    FOR EACH STATEMENT EXECUTE FUNCTION mail_outbox_notify();

-- Repeats: a still-firing, unacknowledged alert is told again to a contact
-- point every repeat_minutes (from the policy that sent it there).
CREATE TABLE alert_repeats (
    alert_id          bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    contact_point_id  bigint NOT NULL REFERENCES contact_points (id) ON DELETE CASCADE,
    repeat_minutes    integer NOT NULL CHECK (repeat_minutes BETWEEN 1 AND 10080),
    next_at           timestamptz NOT NULL,
    PRIMARY KEY (alert_id, contact_point_id)
);
CREATE INDEX alert_repeats_due ON alert_repeats (next_at);

-- The outbox carries every channel: e-mail (one row per address, as
-- before) and the HTTP kinds (one row per message and contact point, its
-- body ready in payload, the target shown masked in recipient). A grouped
-- message is about alert_ids (alert_id is the first of them).
ALTER TABLE mail_outbox
    ADD COLUMN channel text NOT NULL DEFAULT 'email'
        CHECK (channel IN ('email', 'webhook', 'slack', 'telegram')),
    ADD COLUMN contact_point_id bigint REFERENCES contact_points (id) ON DELETE SET NULL,
    ADD COLUMN alert_ids bigint[] NOT NULL DEFAULT '{}',
    ADD COLUMN payload text;
UPDATE mail_outbox SET alert_ids = ARRAY[alert_id] WHERE alert_id IS NOT NULL;
CREATE INDEX mail_outbox_alert_ids ON mail_outbox USING gin (alert_ids);
CREATE INDEX mail_outbox_cp ON mail_outbox (contact_point_id, status);
CREATE INDEX mail_outbox_due_http ON mail_outbox (next_attempt_at)
    WHERE status = 'queued' AND channel <> 'email';

ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('fired', 'resolved', 'escalated', 'digest', 'test', 'still_firing',
                    'flapping', 'settled', 'back', 'repeat'));
