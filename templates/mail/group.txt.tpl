{{TITLE}}
{{#ALERT}}
{{SEVERITY_UPPER}}  {{RULE_NAME}}: {{MESSAGE}}
{{ALERT_URL}}
{{#ACK}}Acknowledge it: {{ACK_URL}}
{{/ACK}}{{/ALERT}}{{#MORE}}
... and {{MORE_COUNT}} more: {{ALERTS_URL}}
{{/MORE}}
All alerts: {{ALERTS_URL}}
--
goldwatch, alerts for the shop. You receive this because a contact point names you.
