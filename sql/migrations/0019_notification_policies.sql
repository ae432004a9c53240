-- Notification policies: which contact points an alert goes to. An ordered
-- list (position 0 first); a policy matches when each of its matchers that
-- is set holds the alert's value (severity, the KPI's category, the KPI,
-- the rule), and unless it says continue the first match ends the walk.
-- The default policy (is_default, exactly one row) takes what none
-- matched. group_wait_seconds: how long the first alert for a contact
-- point waits for others to go in one message; repeat_minutes: how often
-- a still-firing, unacknowledged alert is told again (NULL: never).
CREATE TABLE notification_policies (
    position           int PRIMARY KEY CHECK (position >= -1),
    is_default         boolean NOT NULL DEFAULT false,
    match_severity     text[],
    match_category     text[],
    match_kpi          text[],
    match_rule_ids     bigint[],
    contact_points     bigint[] NOT NULL DEFAULT '{}',
    continue_matching  boolean NOT NULL DEFAULT false,
    group_wait_seconds int NOT NULL DEFAULT 30 CHECK (group_wait_seconds BETWEEN 0 AND 3600),
    repeat_minutes     int CHECK (repeat_minutes BETWEEN 1 AND 10080),
    CHECK (is_default = (position = -1))
);

-- the default policy: no contact point until one is chosen (rules' own
-- recipients and contact points still get their alerts)
INSERT INTO notification_policies (position, is_default) VALUES (-1, true);
