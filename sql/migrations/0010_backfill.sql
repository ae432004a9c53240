-- KPI history computed from the shop's own records (goldwatch-admin
-- backfill): the catalogue queries run as of past moments. Those samples
-- are marked 'backfill' so that the API, the charts and the evaluator's
-- readers can tell them from live ones (an evaluation's or a push).
ALTER TABLE kpi_samples
    DROP CONSTRAINT kpi_samples_source_check,
    ADD CONSTRAINT kpi_samples_source_check
        CHECK (source IN ('evaluation', 'push', 'backfill'));

-- One backfilled sample per KPI and moment: a second run, or a run
-- resumed after a kill, inserts ON CONFLICT DO NOTHING and stores nothing
-- twice. Live samples are not constrained (two evaluations may share a
-- moment).
CREATE UNIQUE INDEX kpi_samples_backfill_once ON kpi_samples (kpi_key, sampled_at)
    WHERE source = 'backfill';
