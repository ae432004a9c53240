-- Escalation policies: who is told, level by level, while an alert stays
-- unacknowledged. levels is [{"after_minutes", "contact_points"}, ...]:
-- level 1 after_minutes after the alert fired, each next one after_minutes
-- after the one before; repeat runs through the levels that many times
-- again. contact_points is every contact point of the levels, so that one
-- in use is found without opening the JSON.
CREATE TABLE escalation_policies (
    id             bigserial PRIMARY KEY,
    name           text NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 100),
    levels         jsonb NOT NULL CHECK (jsonb_typeof(levels) = 'array'
                                         AND jsonb_array_length(levels) BETWEEN 1 AND 10),
    repeat         int NOT NULL DEFAULT 0 CHECK (repeat BETWEEN 0 AND 10),
    contact_points bigint[] NOT NULL,
    created_by     bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX escalation_policies_cps ON escalation_policies USING gin (contact_points);
