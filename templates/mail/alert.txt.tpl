{{HEADLINE}}
{{#ESCALATED}}Escalation level {{LEVEL}}: this alert is still firing and nobody has acknowledged it.
{{/ESCALATED}}
Rule:       {{RULE_NAME}}
{{#OPEN}}Severity:   {{SEVERITY}}
{{/OPEN}}KPI:        {{KPI_NAME}} = {{KPI_VALUE}}
{{#OPEN}}{{#HAS_VALUE}}Value:      {{VALUE}}
{{/HAS_VALUE}}Threshold:  {{THRESHOLD}}
{{/OPEN}}{{#RESOLVED}}{{#HAS_OUT_FOR}}Out for:    {{OUT_FOR}}
{{/HAS_OUT_FOR}}It fired:   {{VALUE}}, {{THRESHOLD}}
{{/RESOLVED}}When:       {{WHEN}}

{{MESSAGE}}{{#RESOLVED}}{{#HAS_OUT_FOR}} It was out for {{OUT_FOR}}.{{/HAS_OUT_FOR}}{{/RESOLVED}}
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
