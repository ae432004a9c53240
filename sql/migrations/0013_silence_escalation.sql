-- Escalation waits for a silence. While a firing alert is silenced its
-- escalation level does not climb; goldwatch-escalate marks it held
-- (silence_held_at, the first run that saw it silenced). When the silence
-- ends (its ends_at passes or it is deleted) and the alert still fires,
-- the job tells the rule's recipients once ("still firing", mail kind
-- still_firing) and sets escalation_resumed_at: the next level falls due a
-- full escalation step after that, not at once for the time spent silent.
-- An alert that fired while silenced (alerts.silenced, no fired mail) is
-- told the same way when its silence ends.
ALTER TABLE alerts ADD COLUMN silence_held_at timestamptz,
                   ADD COLUMN escalation_resumed_at timestamptz;

ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('fired', 'resolved', 'escalated', 'digest', 'test', 'still_firing'));
