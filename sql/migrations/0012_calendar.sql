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
