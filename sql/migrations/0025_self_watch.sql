-- 0025: what goldwatch knows about itself (issue 16).
--
-- job_runs keeps the outcome of each job's last run: ok, the error of a
-- failed one, when it last succeeded and how long the last run took. A
-- failed run leaves result and last_success_at as the last good run left
-- them, so "when did it last work" survives a failure.
--
-- pusher_heartbeats: each goldwatch-pusher process writes its figures
-- every few seconds (instance = host:pid), for /metrics, /api/status and
-- the system rule that notices a pusher gone quiet.

ALTER TABLE job_runs
    ADD COLUMN ok               boolean NOT NULL DEFAULT true,
    ADD COLUMN error            text,
    ADD COLUMN last_success_at  timestamptz,
    ADD COLUMN duration_ms      double precision;
UPDATE job_runs SET last_success_at = started_at;

CREATE TABLE pusher_heartbeats (
    instance    text PRIMARY KEY CHECK (length(instance) BETWEEN 1 AND 200),
    started_at  timestamptz NOT NULL,
    beat_at     timestamptz NOT NULL,
    clients     integer NOT NULL CHECK (clients >= 0),
    lag_events  bigint NOT NULL CHECK (lag_events >= 0),
    feed_up     boolean NOT NULL,
    relayed     bigint NOT NULL DEFAULT 0 CHECK (relayed >= 0)
);
