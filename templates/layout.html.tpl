{{%AUTOESCAPE context="HTML"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="{{CSRF}}">
<title>{{TITLE}} · goldwatch</title>
<link rel="stylesheet" href="/static/css/goldwatch.css">
<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">
<script src="/static/js/goldwatch.js" defer></script>
</head>
<body data-page="{{PAGE}}" data-role="{{ROLE}}" data-last-event="{{LAST_EVENT}}" data-tz="{{TZ}}">
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/"><span class="brand-mark" aria-hidden="true">◆</span> goldwatch</a>
  {{#SIGNED_IN}}
  <nav class="nav" aria-label="Main">
    <a href="/" {{#NAV_DASHBOARD}}aria-current="page"{{/NAV_DASHBOARD}}>Dashboard</a>
    <a href="/alerts" {{#NAV_ALERTS}}aria-current="page"{{/NAV_ALERTS}}>Alerts</a>
    <a href="/rules" {{#NAV_RULES}}aria-current="page"{{/NAV_RULES}}>Rules</a>
    <a href="/kpis" {{#NAV_KPIS}}aria-current="page"{{/NAV_KPIS}}>KPIs</a>
    <a href="/silences" {{#NAV_SILENCES}}aria-current="page"{{/NAV_SILENCES}}>Silences</a>
  </nav>
  <div class="who">
    <span class="user" data-testid="current-user">{{USERNAME}}</span>
    <span class="role role-{{ROLE}}">{{ROLE}}</span>
    <a href="/account" class="link">Account</a>
    {{#CAN_ADMIN}}<a href="/tokens" class="link">API tokens</a>{{/CAN_ADMIN}}
    {{#CAN_ADMIN}}<a href="/status" class="link">Status</a>{{/CAN_ADMIN}}
    <form method="post" action="/logout" class="inline">
      <input type="hidden" name="_csrf" value="{{CSRF}}">
      <button type="submit" class="link">Log out</button>
    </form>
  </div>
  {{/SIGNED_IN}}
</header>
<main id="main" tabindex="-1">
{{#FLASH}}<p class="flash flash-{{FLASH_KIND}}" role="status">{{FLASH_TEXT}}</p>{{/FLASH}}
{{>CONTENT}}
</main>
<footer class="foot">goldwatch · alerts for the shop</footer>
</body>
</html>
