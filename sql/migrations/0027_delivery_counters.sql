-- 0027: deliveries counted as they happen (issue 16, /metrics).
--
-- goldwatch_deliveries_total{channel,outcome} is a counter that must never
-- go down, but cleanup deletes old mail_outbox rows: so each outcome (sent,
-- failed: to be retried, dead: given up) adds to this table in the same
-- statement that marks the row (core/mail_deliver.c), one row per channel
-- and outcome.

CREATE TABLE delivery_counters (
    channel  text NOT NULL CHECK (channel IN ('email', 'webhook', 'slack', 'telegram')),
    outcome  text NOT NULL CHECK (outcome IN ('sent', 'failed', 'dead')),
    n        bigint NOT NULL DEFAULT 0 CHECK (n >= 0),
    PRIMARY KEY (channel, outcome)
);
INSERT INTO delivery_counters (channel, outcome)
SELECT c, o FROM unnest(ARRAY['email', 'webhook', 'slack', 'telegram']) c,
                 unnest(ARRAY['sent', 'failed', 'dead']) o;
-- what the outbox still remembers is where the counters start
UPDATE delivery_counters d SET n = m.n
  FROM (SELECT channel, status, count(*) AS n FROM mail_outbox
         WHERE status IN ('sent', 'dead') GROUP BY channel, status) m
 WHERE d.channel = m.channel AND d.outcome = m.status;
