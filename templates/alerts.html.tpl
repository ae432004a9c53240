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
  {{#BULK}}<form method="post" action="/alerts/acknowledge" id="bulk-ack" class="bulk-form">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    <input type="hidden" name="back" value="{{BACK}}">
    <div class="bulk-row">
      <label class="check" id="select-all-label" hidden><input type="checkbox" id="select-all"> Select all</label>
      <label for="bulk-note" class="sr-only">Note for the selected alerts (optional)</label>
      <input type="text" id="bulk-note" name="note" maxlength="1000" placeholder="Note (optional)">
      <button type="submit" id="bulk-button">Acknowledge selected</button>
    </div>
  </form>{{/BULK}}
  <div class="table-wrap">
  <table class="alerts rows" id="history" data-live="{{LIVE}}" data-filter-state="{{F_STATE}}" data-filter-severity="{{F_SEVERITY}}" data-filter-kpi="{{F_KPI}}" data-filter-rule="{{F_RULE}}">
    <caption class="sr-only">Alerts, newest first</caption>
    <thead><tr>{{#CAN_OPERATE}}<th scope="col"><span class="sr-only">Select</span></th>{{/CAN_OPERATE}}<th scope="col">Alert</th><th scope="col">Triggered</th><th scope="col">Severity</th><th scope="col">Value</th><th scope="col">State</th><th scope="col">Acknowledged by</th></tr></thead>
    <tbody>
    {{#ALERT}}
    <tr data-alert-id="{{ALERT_ID}}" class="sev-row-{{SEVERITY}}">
      {{#CAN_OPERATE}}<td class="pick">{{#IS_FIRING}}<input type="checkbox" form="bulk-ack" name="ack_{{ALERT_ID}}" value="1" id="pick-{{ALERT_ID}}" aria-label="Select {{RULE_NAME}}">{{/IS_FIRING}}</td>{{/CAN_OPERATE}}
      <td class="main"><a href="/alerts/{{ALERT_ID}}">{{RULE_NAME}}</a><span class="sub">{{KPI_NAME}}</span></td>
      <td data-label="Triggered"><time datetime="{{TRIGGERED_ISO}}">{{TRIGGERED}}</time></td>
      <td data-label="Severity"><span class="sev sev-{{SEVERITY}}">{{SEVERITY}}</span></td>
      <td data-label="Value">{{VALUE}}<span class="sub">{{THRESHOLD}}</span></td>
      <td data-label="State"><span class="state state-{{STATE}}" data-field="state" tabindex="-1">{{STATE}}</span>{{#SILENCED}} <span class="tag">silenced</span>{{/SILENCED}}</td>
      <td data-label="Acknowledged by"><span data-field="acknowledged_by">{{ACKNOWLEDGED_BY}}</span><span class="sub note" data-field="note">{{ACK_NOTE}}</span></td>
    </tr>
    {{/ALERT}}
    </tbody>
  </table>
  </div>
  <p class="empty" id="history-empty" {{#SOME}}hidden{{/SOME}}>No alerts match.</p>
  <nav class="pager" aria-label="Pages">
    <span>{{#NOT_FIRST}}<a href="{{FIRST_URL}}">« Newest</a>{{/NOT_FIRST}}</span>
    <span>{{#MORE}}<a href="{{NEXT_URL}}" rel="next">Older »</a>{{/MORE}}</span>
  </nav>
</section>
