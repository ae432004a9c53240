-- Delivery by a long-running goldwatch-mailer (docs/MAIL.md).
--
-- A mailer claims due rows with a lease in a short transaction, sends them
-- with no transaction open and no row lock held, and records each outcome
-- in another short transaction. lease_until says until when the row is
-- its claimer's (due rows with a live lease are skipped by every other
-- mailer); lease_owner names the claim, so an outcome is recorded only by
-- the mailer whose lease it still is. A mailer killed mid-send leaves a
-- lease that runs out, and the row is sent again after that: at most one
-- duplicate, never a loss.
ALTER TABLE mail_outbox
    ADD COLUMN lease_until timestamptz,
    ADD COLUMN lease_owner text;

-- Every statement that queues mail wakes the mailers (LISTEN
-- goldwatch_outbox) when its transaction commits: a trigger, so no
-- writer, present or future, can forget to. Notifications of one
-- transaction fold into one.
CREATE FUNCTION mail_outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM queued) THEN
        PERFORM pg_notify('goldwatch_outbox', '');
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER mail_outbox_queued_notify AFTER INSERT ON mail_outbox
    REFERENCING NEW TABLE AS queued
    FOR EACH STATEMENT EXECUTE FUNCTION mail_outbox_notify();
