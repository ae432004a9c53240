{{%AUTOESCAPE context="HTML"}}
<p class="crumbs"><a href="/kpis">KPIs</a> › {{NAME}}</p>
<div class="page-head" data-kpi="{{KEY}}">
  <h1>{{NAME}}</h1>
  <p class="meta">{{CATEGORY}} · {{#PUSH}}pushed by another system{{/PUSH}}{{#SQL}}computed from the shop's data at every evaluation{{/SQL}}</p>
</div>
<div class="grid-2">
  <section class="card" aria-labelledby="chart-title">
    <h2 id="chart-title">The last {{PERIOD_TEXT}}</h2>
    <p class="actions" aria-label="Period">{{#PERIOD}}<a href="/kpis/{{KEY}}?period={{P}}" {{#CURRENT}}aria-current="true" class="button primary"{{/CURRENT}}{{#OTHER}}class="button"{{/OTHER}}>{{P_TEXT}}</a>{{/PERIOD}}</p>
    {{CHART:none}}
  </section>
  <section class="card" aria-labelledby="facts-title">
    <h2 id="facts-title">About it</h2>
    <dl class="facts">
      <dt>Latest</dt><dd><strong>{{VALUE}}</strong>{{#HAS_AT}} at <time datetime="{{AT_ISO}}">{{AT}}</time>{{/HAS_AT}}</dd>
      <dt>Key</dt><dd><code>{{KEY}}</code></dd>
      {{#HAS_DESCRIPTION}}<dt>What it is</dt><dd>{{DESCRIPTION}}</dd>{{/HAS_DESCRIPTION}}
    </dl>
    {{#HAS_ADVICE}}<p class="advice"><strong>When it goes wrong:</strong> {{RECOMMENDATION}}</p>{{/HAS_ADVICE}}
    <h2>Rules on it</h2>
    <ul>{{#RULE}}<li><a href="/rules/{{RULE_ID}}">{{RULE_NAME}}</a> <span class="sev sev-{{SEVERITY}}">{{SEVERITY}}</span>{{#OFF}} <span class="tag">disabled</span>{{/OFF}}</li>{{/RULE}}</ul>
    {{#NO_RULES}}<p class="empty">No rule watches this KPI.{{#CAN_ADMIN}} <a href="/rules/new?kpi={{KEY}}">Add one.</a>{{/CAN_ADMIN}}</p>{{/NO_RULES}}
  </section>
</div>
