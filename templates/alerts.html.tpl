{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Alerts</h1>
  <p class="meta"><span class="live" id="live-status" role="status" aria-live="polite"></span></p>
</div>
<form method="get" action="/alerts" class="card filters" aria-label="Filter alerts" novalidate>
  <div class="field">
    <label for="f-state">State</label>
    <select id="f-state" name="state">
      <option value="">any</option>
      {{#STATE_OPT}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{V}}</option>{{/STATE_OPT}}
    </select>
  </div>
  <div class="field">
    <label for="f-severity">Severity</label>
    <select id="f-severity" name="severity">
      <option value="">any</option>
      {{#SEV_OPT}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{V}}</option>{{/SEV_OPT}}
    </select>
  </div>
  <div class="field">
    <label for="f-kpi">KPI</label>
    <select id="f-kpi" name="kpi">
      <option value="">any</option>
      {{#KPI_OPT}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{LABEL}}</option>{{/KPI_OPT}}
    </select>
  </div>
  <div class="field">
    <label for="f-since">From</label>
    <input id="f-since" name="since" type="text" inputmode="text" autocomplete="off" placeholder="01 Dec 2026" pattern="([0-9]{1,2} [A-Za-z]{3,9} [0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2})" value="{{SINCE}}" aria-invalid="{{INVALID_SINCE}}" aria-describedby="hint-dates err-since">
    <p class="field-error" id="err-since">{{#ERR_SINCE}}{{MSG}}{{/ERR_SINCE}}</p>
  </div>
  <div class="field">
    <label for="f-until">To</label>
    <input id="f-until" name="until" type="text" inputmode="text" autocomplete="off" placeholder="01 Dec 2026" pattern="([0-9]{1,2} [A-Za-z]{3,9} [0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2})" value="{{UNTIL}}" aria-invalid="{{INVALID_UNTIL}}" aria-describedby="hint-dates err-until">
    <p class="field-error" id="err-until">{{#ERR_UNTIL}}{{MSG}}{{/ERR_UNTIL}}</p>
  </div>
  <p class="hint" id="hint-dates">Dates like 01 Dec 2026 (or 2026-12-01); To includes that day.</p>
  {{#RULE_FILTER}}<input type="hidden" name="rule_id" value="{{RULE_ID}}">{{/RULE_FILTER}}
  <div class="actions"><button type="submit" class="primary">Filter</button> <a href="/alerts">Clear</a></div>
</form>
{{#FILTER_ERROR}}<p class="flash flash-error" role="alert">{{FILTER_ERROR_TEXT}}</p>{{/FILTER_ERROR}}
<section class="card">
  <div class="table-wrap">
  <table class="alerts" id="history" data-live="{{LIVE}}" data-filter-state="{{F_STATE}}" data-filter-severity="{{F_SEVERITY}}" data-filter-kpi="{{F_KPI}}" data-filter-rule="{{F_RULE}}">
    <caption class="sr-only">Alerts, newest first</caption>
    <thead><tr><th scope="col">Triggered</th><th scope="col">Severity</th><th scope="col">Alert</th><th scope="col">Value</th><th scope="col">State</th><th scope="col">Acknowledged by</th></tr></thead>
    <tbody>
    {{#ALERT}}
    <tr data-alert-id="{{ALERT_ID}}" class="sev-row-{{SEVERITY}}">
      <td><time datetime="{{TRIGGERED_ISO}}">{{TRIGGERED}}</time></td>
      <td><span class="sev sev-{{SEVERITY}}">{{SEVERITY}}</span></td>
      <td><a href="/alerts/{{ALERT_ID}}">{{RULE_NAME}}</a><span class="sub">{{KPI_NAME}}</span></td>
      <td>{{VALUE}}<span class="sub">{{THRESHOLD}}</span></td>
      <td><span class="state state-{{STATE}}" data-field="state">{{STATE}}</span>{{#SILENCED}} <span class="tag">silenced</span>{{/SILENCED}}</td>
      <td data-field="acknowledged_by">{{ACKNOWLEDGED_BY}}</td>
    </tr>
    {{/ALERT}}
    </tbody>
  </table>
  </div>
  {{#NONE}}<p class="empty">No alerts match.</p>{{/NONE}}
  <nav class="pager" aria-label="Pages">
    <span>{{#NOT_FIRST}}<a href="{{FIRST_URL}}">« Newest</a>{{/NOT_FIRST}}</span>
    <span>{{#MORE}}<a href="{{NEXT_URL}}" rel="next">Older »</a>{{/MORE}}</span>
  </nav>
</section>
