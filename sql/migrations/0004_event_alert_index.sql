-- The alert page's timeline reads the events of one alert.
CREATE INDEX events_alert ON events (((data->>'id')::bigint), id)
    WHERE type IN ('alert.fired', 'alert.acknowledged', 'alert.resolved', 'alert.escalated');
