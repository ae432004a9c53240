-- Conditions of issue 14: seasonal baselines, |percent change| and
-- staleness.
--
-- seasonal_pct_lt, seasonal_pct_gt and seasonal_zscore_gt compare the
-- latest value with the KPI's values at the same local time of week over
-- the last window_weeks weeks (core/baseline.c); window_weeks is 1..12 and
-- set exactly for them (the API defaults it to 4). pct_change_abs_gt
-- (moved by more than X% either way over window_minutes) and no_data (no
-- fresh sample for window_minutes) take window_minutes as the percent
-- changes do.
ALTER TABLE alert_rules DROP CONSTRAINT alert_rules_condition_check;
ALTER TABLE alert_rules ADD CONSTRAINT alert_rules_condition_check
    CHECK (condition IN ('gt', 'gte', 'lt', 'lte', 'eq', 'neq', 'pct_change_gt',
                         'pct_change_lt', 'zscore_gt', 'pct_change_abs_gt',
                         'seasonal_pct_lt', 'seasonal_pct_gt', 'seasonal_zscore_gt',
                         'no_data'));

-- The unnamed CHECK of 0001 that ties window_minutes to the percent
-- changes, found by what it says rather than by the name PostgreSQL gave it.
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint
              WHERE conrelid = 'alert_rules'::regclass AND contype = 'c'
                AND pg_get_constraintdef(oid) LIKE '%pct_change%'
                AND pg_get_constraintdef(oid) LIKE '%window_minutes IS NOT NULL%'
    LOOP
        EXECUTE format('ALTER TABLE alert_rules DROP CONSTRAINT %I', c.conname);
    END LOOP;
END $$;

ALTER TABLE alert_rules
    ADD CONSTRAINT alert_rules_window_minutes_for
    CHECK ((condition IN ('pct_change_gt', 'pct_change_lt', 'pct_change_abs_gt', 'no_data'))
           = (window_minutes IS NOT NULL)),
    ADD COLUMN window_weeks integer CHECK (window_weeks BETWEEN 1 AND 12),
    ADD CONSTRAINT alert_rules_window_weeks_for
    CHECK ((condition LIKE 'seasonal_%') = (window_weeks IS NOT NULL));
