{{HEADLINE}}
{{#ESCALATED}}Escalation level {{LEVEL}}: this alert is still firing and nobody has acknowledged it.
{{/ESCALATED}}
Rule:       {{RULE_NAME}}
Severity:   {{SEVERITY}}
KPI:        {{KPI_NAME}} = {{KPI_VALUE}}
{{#HAS_VALUE}}Value:      {{VALUE}}
{{/HAS_VALUE}}Threshold:  {{THRESHOLD}}
When:       {{WHEN}}

{{MESSAGE}}
{{#HAS_DESCRIPTION}}
About this rule: {{RULE_DESCRIPTION}}
{{/HAS_DESCRIPTION}}{{#OPEN}}{{#HAS_RECOMMENDATION}}
What to check: {{RECOMMENDATION}}
{{/HAS_RECOMMENDATION}}{{/OPEN}}
{{LINK_TEXT}}: {{ALERT_URL}}
{{#ACK}}
Acknowledge it (opens a confirmation page): {{ACK_URL}}
{{/ACK}}
--
goldwatch, alerts for the shop. You receive this because the rule names you as a recipient.
