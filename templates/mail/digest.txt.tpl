goldwatch daily summary, {{DAY}}

In the last 24 hours:
  alerts fired:         {{FIRED}}
  acknowledged:         {{ACKED}}
  resolved:             {{RESOLVED}}
  still open now:       {{OPEN}}
  mean time to acknowledge: {{MTTA}}
{{#RULE}}
- {{RULE_NAME}} ({{SEVERITY}}): fired {{RULE_FIRED}}, open {{RULE_OPEN}}
  {{RULE_URL}}
{{/RULE}}{{#QUIET}}
Nothing fired and nothing is open: a quiet day.
{{/QUIET}}{{#FAILURES}}
Messages that failed (last 24 hours), per contact point:
{{#FAILURE}}  - {{F_NAME}}: {{F_DEAD}} dead, {{F_RETRYING}} still retrying
{{/FAILURE}}{{/FAILURES}}
Dashboard: {{DASHBOARD_URL}}
--
goldwatch, alerts for the shop. You receive this because rules name you as a recipient.
