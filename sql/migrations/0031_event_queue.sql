-- 0031: events numbered after their commit (issue 18). Until now every
-- transaction that wrote events took one advisory lock (0001) from its
-- first event to its commit, WAL flush included, so that ids followed
-- commit order: one writer committed at a time. Now a writer puts its
-- events in event_queue, which takes no lock, and after its commit asks
-- events_sequence() to move what is queued into events. The sequencer
-- holds the events lock (still 1735355492, taken by the events trigger),
-- moves the queue in its own order in one statement and commits: ids are
-- handed out one sequencer at a time, so they still follow commit order
-- and a reader that remembers "the last id I saw" never skips one. Each
-- sequencer moves every row committed before it started, so one flush
-- numbers the events of many writers, and the goldwatch_events
-- notification (0006) is sent once per move instead of once per writer
-- (a notifying commit takes PostgreSQL's queue lock, one at a time).
--
-- The sequencer's commit does not wait for the WAL flush (the lock would
-- be held for a disk write again). The queue rows it moves were flushed
-- with their writer's commit; any later commit that waits for its flush
-- flushes the move too (the WAL is written in order). A crash that loses
-- a move before then puts its rows back in the queue, and they are
-- numbered again (new ids, after every id given out): a client that saw
-- the lost ids gets those events once more, never misses one.
--
-- A writer that died between its commit and its call leaves its events
-- queued: the next call of anyone moves them (every goldwatch-pusher calls
-- it at each heartbeat as well). The queue has the events' columns and
-- CHECKs (a row the events table would refuse must be refused here, or it
-- would stop the queue); a migration that adds an event type alters both.
CREATE TABLE event_queue (LIKE events INCLUDING CONSTRAINTS);
ALTER TABLE event_queue ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;
ALTER TABLE event_queue ADD PRIMARY KEY (id);
ALTER TABLE event_queue ALTER COLUMN at SET DEFAULT clock_timestamp();

CREATE FUNCTION events_sequence() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    moved bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM event_queue) THEN
        RETURN 0;
    END IF;
    -- one sequencer at a time; the statement below then reads the queue
    -- after the one before committed (a statement's snapshot is taken
    -- when it starts)
    PERFORM pg_advisory_xact_lock(1735355492);
    -- its commit does not wait for the WAL flush: the lock is held for the
    -- move alone, not for a disk write (see above on what a crash does)
    PERFORM set_config('synchronous_commit', 'off', true);
    WITH q AS (DELETE FROM event_queue RETURNING id, type, at, data)
    INSERT INTO events (type, at, data) SELECT type, at, data FROM q ORDER BY id;
    GET DIAGNOSTICS moved = ROW_COUNT;
    RETURN moved;
END $$;
