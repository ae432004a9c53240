-- Ended credentials reach the pusher in commit order with the events.
--
-- A socket whose session ended (logout), whose token was revoked or
-- shortened, or whose user was disabled must be closed before any event
-- committed after that change reaches it. Notifications of different
-- transactions arrive in commit order, and event ids follow commit order
-- (0001), so:
--   * every transaction that ends a credential NOTIFYs goldwatch_auth;
--   * every statement that inserts events NOTIFYs goldwatch_events with the
--     highest id it inserted.
-- The pusher's feed connection LISTENs on both; it relays an event only
-- once a goldwatch_events notification has announced its id, and on
-- goldwatch_auth it re-checks its sockets' credentials before it reads
-- further: whatever committed after the change is announced after it.
-- Identical payloads of one transaction fold into one notification.

CREATE FUNCTION auth_ended_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('goldwatch_auth', '');
    RETURN NULL;
END $$;

-- Deleting rows: statement triggers that notify only if rows went.
CREATE FUNCTION auth_deleted_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM gone) THEN
        PERFORM pg_notify('goldwatch_auth', '');
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER sessions_deleted_notify AFTER DELETE ON sessions
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION auth_deleted_notify();
CREATE TRIGGER sessions_shortened_notify AFTER UPDATE OF expires_at ON sessions
    FOR EACH ROW WHEN (NEW.expires_at < OLD.expires_at)
    EXECUTE FUNCTION auth_ended_notify();

CREATE TRIGGER api_tokens_deleted_notify AFTER DELETE ON api_tokens
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION auth_deleted_notify();
CREATE TRIGGER api_tokens_ended_notify AFTER UPDATE OF revoked_at, expires_at ON api_tokens
    FOR EACH ROW WHEN ((NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL)
                       OR (NEW.expires_at IS NOT NULL
                           AND (OLD.expires_at IS NULL OR NEW.expires_at < OLD.expires_at)))
    EXECUTE FUNCTION auth_ended_notify();

-- A role change keeps the sockets: every role may watch the live events.
CREATE TRIGGER users_disabled_notify AFTER UPDATE OF disabled ON users
    FOR EACH ROW WHEN (NEW.disabled AND NOT OLD.disabled)
    EXECUTE FUNCTION auth_ended_notify();

-- The events notification names the highest id its statement inserted
-- (a statement that inserted none says nothing).
CREATE OR REPLACE FUNCTION events_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    newest bigint;
BEGIN
    SELECT max(id) INTO newest FROM new_events;
    IF newest IS NOT NULL THEN
        PERFORM pg_notify('goldwatch_events', newest::text);
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER events_notify ON events;
CREATE TRIGGER events_notify AFTER INSERT ON events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION events_notify();
