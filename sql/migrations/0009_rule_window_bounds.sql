-- A rule's windows: the schema allows what the API allows, no more.
-- The API (the rule field table in core/rule_store.c) has always refused a
-- percent-change window over 30 days (43200 minutes) and a z-score window
-- over 1000 samples; the CHECKs of 0001 allowed a year and 10,000. One
-- bound each, in both places, and the `schema` integration suite compares
-- them. A row over the new bound can only have been written by hand in
-- SQL: it is brought to the bound (the longest window the product reads)
-- rather than refused, so the upgrade never stops on old data.
UPDATE alert_rules SET window_minutes = 43200 WHERE window_minutes > 43200;
UPDATE alert_rules SET window_samples = 1000 WHERE window_samples > 1000;

ALTER TABLE alert_rules
    DROP CONSTRAINT alert_rules_window_minutes_check,
    ADD CONSTRAINT alert_rules_window_minutes_check CHECK (window_minutes BETWEEN 1 AND 43200),
    DROP CONSTRAINT alert_rules_window_samples_check,
    ADD CONSTRAINT alert_rules_window_samples_check CHECK (window_samples BETWEEN 2 AND 1000);
