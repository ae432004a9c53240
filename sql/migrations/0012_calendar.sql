-- The shop's calendar and the rules' active hours.
--
-- One row: the weekly opening hours per weekday in the shop's zone
-- (GOLDWATCH_TIMEZONE) and the closed days, in the API's shape, as
-- core/calendar.c decoded and wrote them (the only writer is
-- calendar_store.c, which validates first). The default is the demo
-- shop's: every day 10:00-21:00, no closed days.
CREATE TABLE shop_calendar (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    hours       jsonb NOT NULL CHECK (jsonb_typeof(hours) = 'object'),
    closed_days jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(closed_days) = 'array'),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO shop_calendar (hours) VALUES (
    '{"mon":[["10:00","21:00"]],"tue":[["10:00","21:00"]],"wed":[["10:00","21:00"]],
      "thu":[["10:00","21:00"]],"fri":[["10:00","21:00"]],"sat":[["10:00","21:00"]],
      "sun":[["10:00","21:00"]]}');

-- When a rule is evaluated: always, only while the shop is open, or only
-- while it is closed. Outside that time the evaluation passes it over.
ALTER TABLE alert_rules ADD COLUMN active_hours text NOT NULL DEFAULT 'always'
    CHECK (active_hours IN ('always', 'open', 'closed'));

-- Recurring silences (mute timings): a silence may carry
-- {"weekdays":["fri"],"from":"12:00","to":"14:00"}, and then mutes only
-- inside those windows on the shop's wall clock, and only within its
-- starts_at/ends_at (which stay required: a recurring silence ends too,
-- at most a year on). NULL: the whole of starts_at-ends_at, as before.
-- silence_store.c validates the shape (weekdays mon..sun, HH:MM, from <
-- to); "24:00" is the end of the local day.
ALTER TABLE silences ADD COLUMN recurrence jsonb
    CHECK (recurrence IS NULL OR jsonb_typeof(recurrence) = 'object');

-- Whether recurrence rec lets a silence mute at ts in zone tz: the one
-- test SILENCED_SQL (core/silence_store.h) makes for every "is this alert
-- silenced" (evaluation, escalation, a deleted rule's resolved mail).
-- Wall-clock times: on a DST day 12:00-14:00 is still 12:00-14:00 local.
CREATE FUNCTION silence_recurs(rec jsonb, ts timestamptz, tz text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT rec IS NULL OR (
        rec->'weekdays' ? (ARRAY['mon','tue','wed','thu','fri','sat','sun'])
                          [extract(isodow FROM ts AT TIME ZONE tz)::int]
        AND (ts AT TIME ZONE tz)::time >= (rec->>'from')::time
        AND ((rec->>'to') = '24:00' OR (ts AT TIME ZONE tz)::time < (rec->>'to')::time))
$$;
