-- 0033: writers never wait for the sequencer (issue 18). Since 0031 a
-- writer, after its commit, called events_sequence(), which waits for the
-- events lock: with many writers, most waited for a sequencer that had
-- already numbered their events (each sequencer moves everything
-- committed before it started). events_sequence_step() takes the lock
-- only if it is free: it returns false when nothing is queued or another
-- sequencer holds the lock, true when it numbered the queue. A caller
-- that got true calls it again, after that call's commit, until false.
--
-- Why no event is left behind: a writer W that finds the lock taken has
-- committed its queue rows before it tried, so before the holder H
-- commits. H calls again after its commit, and that call (or the
-- sequencer that holds the lock then, which took it after H's commit)
-- reads the queue after W's commit and moves W's rows. Ids are still
-- handed out one sequencer at a time, in commit order. The caller gives
-- up after a number of rounds under a queue that never empties; what it
-- left is numbered by the next writer or by goldwatch-pusher's heartbeat,
-- which calls the waiting events_sequence().
CREATE FUNCTION events_sequence_step() RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM event_queue) THEN
        RETURN false;
    END IF;
    IF NOT pg_try_advisory_xact_lock(1735355492) THEN
        RETURN false;
    END IF;
    PERFORM set_config('synchronous_commit', 'off', true);
    WITH q AS (DELETE FROM event_queue RETURNING id, type, at, data)
    INSERT INTO events (type, at, data) SELECT type, at, data FROM q ORDER BY id;
    RETURN true;
END $$;
