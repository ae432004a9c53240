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
<tr><td style="padding:16px 24px;border-bottom:4px solid #8a6d1d;">
<span style="font-size:13px;color:#8a6d1d;font-weight:bold;letter-spacing:1px;">&#9670; GOLDWATCH</span>
<h1 style="margin:8px 0 0 0;font-size:20px;">Daily summary, {{DAY}}</h1>
</td></tr>
<tr><td style="padding:20px 24px;">
<table role="presentation" cellpadding="6" cellspacing="0" style="border-collapse:collapse;font-size:14px;width:100%;">
<tr><td style="color:#6b6b66;border-bottom:1px solid #eee;">Alerts fired</td><td style="border-bottom:1px solid #eee;"><strong>{{FIRED}}</strong></td></tr>
<tr><td style="color:#6b6b66;border-bottom:1px solid #eee;">Acknowledged</td><td style="border-bottom:1px solid #eee;">{{ACKED}}</td></tr>
<tr><td style="color:#6b6b66;border-bottom:1px solid #eee;">Resolved</td><td style="border-bottom:1px solid #eee;">{{RESOLVED}}</td></tr>
<tr><td style="color:#6b6b66;border-bottom:1px solid #eee;">Still open now</td><td style="border-bottom:1px solid #eee;"><strong>{{OPEN}}</strong></td></tr>
<tr><td style="color:#6b6b66;">Mean time to acknowledge</td><td>{{MTTA}}</td></tr>
</table>
<h2 style="margin:20px 0 8px 0;font-size:16px;">Noisiest rules</h2>
<table role="presentation" cellpadding="6" cellspacing="0" style="border-collapse:collapse;font-size:14px;width:100%;">
<tr><th align="left" style="border-bottom:2px solid #e4dccb;">Rule</th><th align="left" style="border-bottom:2px solid #e4dccb;">Severity</th><th align="right" style="border-bottom:2px solid #e4dccb;">Fired</th><th align="right" style="border-bottom:2px solid #e4dccb;">Open</th></tr>
{{#RULE}}<tr><td style="border-bottom:1px solid #eee;"><a href="{{RULE_URL}}" style="color:#1d1d1b;">{{RULE_NAME}}</a></td><td style="border-bottom:1px solid #eee;">{{SEVERITY}}</td><td align="right" style="border-bottom:1px solid #eee;">{{RULE_FIRED}}</td><td align="right" style="border-bottom:1px solid #eee;">{{RULE_OPEN}}</td></tr>{{/RULE}}
{{#QUIET}}<tr><td colspan="4" style="color:#6b6b66;">Nothing fired and nothing is open: a quiet day.</td></tr>{{/QUIET}}
</table>
{{#FAILURES}}<h2 style="margin:20px 0 8px 0;font-size:16px;">Messages that failed</h2>
<table role="presentation" cellpadding="6" cellspacing="0" style="border-collapse:collapse;font-size:14px;width:100%;">
<tr><th align="left" style="border-bottom:2px solid #e4dccb;">Contact point</th><th align="right" style="border-bottom:2px solid #e4dccb;">Dead</th><th align="right" style="border-bottom:2px solid #e4dccb;">Still retrying</th></tr>
{{#FAILURE}}<tr><td style="border-bottom:1px solid #eee;">{{F_NAME}}</td><td align="right" style="border-bottom:1px solid #eee;">{{F_DEAD}}</td><td align="right" style="border-bottom:1px solid #eee;">{{F_RETRYING}}</td></tr>{{/FAILURE}}
</table>{{/FAILURES}}
<p style="margin:20px 0 0 0;"><a href="{{DASHBOARD_URL}}" style="display:inline-block;padding:10px 16px;background:#1d1d1b;color:#ffffff;text-decoration:none;border-radius:4px;font-size:14px;">Open the dashboard</a></p>
</td></tr>
<tr><td style="padding:12px 24px;font-size:12px;color:#8a8a84;border-top:1px solid #eee;">goldwatch, alerts for the shop. You receive this because rules name you as a recipient.</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
