{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>KPIs</h1>
  <p class="meta">Latest values; the line is the last 24 hours. <span class="live" id="live-status" role="status" aria-live="polite"></span></p>
</div>
{{#CATEGORY}}
<section class="card" aria-labelledby="cat-{{CAT}}">
  <h2 id="cat-{{CAT}}">{{CAT_TITLE}}</h2>
  <div class="kpi-grid">
    {{#KPI}}
    <a class="kpi" href="/kpis/{{KEY}}" data-kpi="{{KEY}}">
      <span class="name">{{NAME}}{{#PUSH}} <span class="tag">pushed</span>{{/PUSH}}</span>
      <span class="value" data-field="value">{{VALUE}}</span>
      <span class="when" data-field="when">{{#HAS_AT}}<time datetime="{{AT_ISO}}">{{AT}}</time>{{/HAS_AT}}{{#NO_AT}}no value yet{{/NO_AT}}</span>
      {{SPARK:none}}
    </a>
    {{/KPI}}
  </div>
</section>
{{/CATEGORY}}
