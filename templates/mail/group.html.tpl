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
<h1 style="margin:8px 0 0 0;font-size:20px;color:{{ACCENT_COLOUR}};">{{TITLE}}</h1>
</td></tr>
<tr><td style="padding:20px 24px;">
<table role="presentation" cellpadding="6" cellspacing="0" style="border-collapse:collapse;font-size:14px;width:100%;">
{{#ALERT}}<tr><td style="width:90px;border-bottom:1px solid #eee;vertical-align:top;"><strong style="color:{{SEVERITY_COLOUR}};">{{SEVERITY_UPPER}}</strong></td><td style="border-bottom:1px solid #eee;"><a href="{{ALERT_URL}}" style="color:#1d1d1b;font-weight:bold;">{{RULE_NAME}}</a><br>{{MESSAGE}}{{#ACK}}<br><a href="{{ACK_URL}}" style="color:#8a6d1d;font-size:13px;">Acknowledge</a>{{/ACK}}</td></tr>
{{/ALERT}}</table>
{{#MORE}}<p style="margin:12px 0 0 0;font-size:14px;">... and {{MORE_COUNT}} more.</p>{{/MORE}}
<p style="margin:20px 0 0 0;"><a href="{{ALERTS_URL}}" style="display:inline-block;padding:10px 16px;background:#1d1d1b;color:#ffffff;text-decoration:none;border-radius:4px;font-size:14px;">See the alerts</a></p>
</td></tr>
<tr><td style="padding:12px 24px;font-size:12px;color:#8a8a84;border-top:1px solid #eee;">goldwatch, alerts for the shop. You receive this because a contact point names you.</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
