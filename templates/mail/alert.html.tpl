{{%AUTOESCAPE context="HTML"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{SUBJECT}}</title>
</head>
<body style="margin:0;padding:0;background:#f4f1ea;font-family:Arial,Helvetica,sans-serif;color:#1d1d1b;overflow-wrap:anywhere;word-wrap:break-word;word-break:break-word;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f1ea;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;table-layout:fixed;background:#ffffff;border:1px solid #e4dccb;border-radius:6px;overflow-wrap:anywhere;word-wrap:break-word;word-break:break-word;">
<tr><td style="padding:16px 24px;border-bottom:4px solid {{ACCENT_COLOUR}};">
<span style="font-size:13px;color:#8a6d1d;font-weight:bold;letter-spacing:1px;">&#9670; GOLDWATCH</span>
<h1 style="margin:8px 0 0 0;font-size:20px;color:{{ACCENT_COLOUR}};">{{HEADLINE}}</h1>
</td></tr>
<tr><td style="padding:20px 24px;">
<p style="margin:0 0 12px 0;font-size:18px;font-weight:bold;">{{RULE_NAME}}</p>
{{#ESCALATED}}<p style="margin:0 0 12px 0;padding:8px 12px;background:#fef3f2;border-left:4px solid #b42318;">Escalation level {{LEVEL}}: still firing, not acknowledged.</p>{{/ESCALATED}}
<p style="margin:0 0 16px 0;font-size:15px;">{{MESSAGE}}{{#RESOLVED}}{{#HAS_OUT_FOR}} It was out for {{OUT_FOR}}.{{/HAS_OUT_FOR}}{{/RESOLVED}}</p>
<table role="presentation" cellpadding="6" cellspacing="0" style="border-collapse:collapse;font-size:14px;width:100%;">
{{#OPEN}}<tr><td style="color:#6b6b66;width:120px;border-bottom:1px solid #eee;">Severity</td><td style="border-bottom:1px solid #eee;"><strong style="color:{{SEVERITY_COLOUR}};">{{SEVERITY_UPPER}}</strong></td></tr>{{/OPEN}}
<tr><td style="color:#6b6b66;width:120px;border-bottom:1px solid #eee;">KPI</td><td style="border-bottom:1px solid #eee;">{{KPI_NAME}}: <strong>{{KPI_VALUE}}</strong></td></tr>
{{#OPEN}}{{#HAS_VALUE}}<tr><td style="color:#6b6b66;border-bottom:1px solid #eee;">Value</td><td style="border-bottom:1px solid #eee;">{{VALUE}}</td></tr>{{/HAS_VALUE}}
<tr><td style="color:#6b6b66;border-bottom:1px solid #eee;">Threshold</td><td style="border-bottom:1px solid #eee;">{{THRESHOLD}}</td></tr>{{/OPEN}}
{{#RESOLVED}}{{#HAS_OUT_FOR}}<tr><td style="color:#6b6b66;border-bottom:1px solid #eee;">Out for</td><td style="border-bottom:1px solid #eee;">{{OUT_FOR}}</td></tr>{{/HAS_OUT_FOR}}
<tr><td style="color:#6b6b66;border-bottom:1px solid #eee;">It fired</td><td style="border-bottom:1px solid #eee;">{{VALUE}}, {{THRESHOLD}}</td></tr>{{/RESOLVED}}
<tr><td style="color:#6b6b66;">When</td><td>{{WHEN}}</td></tr>
</table>
{{#HAS_DESCRIPTION}}<p style="margin:16px 0 0 0;font-size:14px;color:#444;">{{RULE_DESCRIPTION}}</p>{{/HAS_DESCRIPTION}}
{{#OPEN}}{{#HAS_RECOMMENDATION}}<div style="margin:16px 0 0 0;padding:12px 14px;background:#fbf6e9;border:1px solid #ecdcae;border-radius:4px;font-size:14px;"><strong>What to check:</strong> {{RECOMMENDATION}}</div>{{/HAS_RECOMMENDATION}}{{/OPEN}}
<p style="margin:20px 0 0 0;">
<a href="{{ALERT_URL}}" style="display:inline-block;padding:10px 16px;background:#1d1d1b;color:#ffffff;text-decoration:none;border-radius:4px;font-size:14px;">{{LINK_TEXT}}</a>
{{#ACK}}&nbsp; <a href="{{ACK_URL}}" style="display:inline-block;padding:10px 16px;background:#8a6d1d;color:#ffffff;text-decoration:none;border-radius:4px;font-size:14px;">Acknowledge</a>{{/ACK}}
</p>
</td></tr>
<tr><td style="padding:12px 24px;font-size:12px;color:#8a8a84;border-top:1px solid #eee;">goldwatch, alerts for the shop. You receive this because the rule names you as a recipient.</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
