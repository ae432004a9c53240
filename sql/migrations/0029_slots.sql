-- 0029: one run per schedule slot and one count per sample moment, across
-- every host that runs the jobs (issue 18).
--
-- job_slots: a row per scheduled job and slot (the period its timer fired
-- in: the 5-minute step of goldwatch-evaluate, the local day of a daily
-- job). A run started by a timer (--slot) inserts it, or takes over the
-- row of a run that died (unfinished, and no session holds the job's
-- advisory lock); any other run of the slot exits 0 saying it was taken.
CREATE TABLE job_slots (
    job          text NOT NULL,
    slot         timestamptz NOT NULL,
    host         text NOT NULL,
    pid          integer NOT NULL,
    claimed_at   timestamptz NOT NULL DEFAULT now(),
    takeovers    integer NOT NULL DEFAULT 0,
    finished_at  timestamptz,
    ok           boolean,
    PRIMARY KEY (job, slot)
);

-- kpi_samples.slot: the evaluation step an sql KPI's sample belongs to.
-- One sample per KPI and step: a second evaluation in the same step (the
-- API's evaluate, a host whose timer came late) replaces the value
-- instead of adding a sample, so a z-score window of N samples spans N
-- steps. Pushed samples have none.
ALTER TABLE kpi_samples ADD COLUMN slot timestamptz;
CREATE UNIQUE INDEX kpi_samples_slot ON kpi_samples (kpi_key, slot) WHERE slot IS NOT NULL;

-- rule_state.counted_at: the sample moment the consecutive count last
-- counted (an sql KPI's step, a pushed sample's time). for_evaluations
-- counts distinct moments: evaluating the same value again, by the API,
-- by a push or by another host, does not advance it.
ALTER TABLE rule_state ADD COLUMN counted_at timestamptz;
