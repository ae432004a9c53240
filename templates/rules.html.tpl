{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Rules</h1>
  <a class="button" href="/calendar">Opening hours</a>
  <a class="button" href="/contact-points">Contact points</a>
  <a class="button" href="/notification-policies">Notification policies</a>
  <a class="button" href="/escalation-policies">Escalation policies</a>
  {{#CAN_ADMIN}}<a class="button primary" href="/rules/new">New rule</a>{{/CAN_ADMIN}}
</div>
<form method="get" action="/rules" class="card filters" id="rules-filter" role="search" aria-label="Find rules">
  <div class="field">
    <label for="f-q">Search</label>
    <input id="f-q" name="q" type="search" value="{{Q}}" aria-describedby="hint-f-q">
    <span class="hint" id="hint-f-q">In the rule's name or its KPI</span>
  </div>
  <div class="field">
    <label for="f-severity">Severity</label>
    <select id="f-severity" name="severity" aria-describedby="err-f-severity">
      <option value="">any</option>
      {{#F_SEV_OPT}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{V}}</option>{{/F_SEV_OPT}}
    </select>
    <p class="field-error" id="err-f-severity">{{#ERR_F_SEVERITY}}{{MSG}}{{/ERR_F_SEVERITY}}</p>
  </div>
  <div class="field">
    <label for="f-state">State</label>
    <select id="f-state" name="state" aria-describedby="err-f-state">
      <option value="">any</option>
      {{#F_STATE_OPT}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{LABEL}}</option>{{/F_STATE_OPT}}
    </select>
    <p class="field-error" id="err-f-state">{{#ERR_F_STATE}}{{MSG}}{{/ERR_F_STATE}}</p>
  </div>
  <div class="field">
    <label for="f-kind">Kind</label>
    <select id="f-kind" name="kind" aria-describedby="err-f-kind">
      <option value="">any</option>
      {{#F_KIND_OPT}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{LABEL}}</option>{{/F_KIND_OPT}}
    </select>
    <p class="field-error" id="err-f-kind">{{#ERR_F_KIND}}{{MSG}}{{/ERR_F_KIND}}</p>
  </div>
  <div class="actions"><button type="submit" class="primary">Find</button> <a href="/rules">Clear</a></div>
  {{#ERR_F_PAGE}}<p class="field-error">{{MSG}}</p>{{/ERR_F_PAGE}}
</form>
<section class="card" aria-labelledby="rules-count">
  <p class="meta" id="rules-count">{{COUNT_TEXT}}{{#FILTERED}} ({{ALL}} rules in all){{/FILTERED}}</p>
  <div class="table-wrap">
  <table id="rules" class="rows">
    <caption class="sr-only">Alert rules, newest first</caption>
    <thead><tr><th scope="col">Rule</th><th scope="col">Fires when</th><th scope="col">Severity</th><th scope="col">Recipients</th><th scope="col">Status</th><th scope="col">Enabled</th></tr></thead>
    <tbody>
    {{#RULE}}
    <tr data-rule-id="{{ID}}">
      <td><a href="/rules/{{ID}}">{{NAME}}</a>{{#HAS_DESCRIPTION}}<span class="sub">{{DESCRIPTION}}</span>{{/HAS_DESCRIPTION}}</td>
      <td data-label="Fires when">{{KPI_NAME}} {{CONDITION_TEXT}}</td>
      <td data-label="Severity"><span class="sev sev-{{SEVERITY}}">{{SEVERITY}}</span></td>
      <td data-label="Recipients">{{RECIPIENT_COUNT}}</td>
      <td data-label="Status" class="rule-status"><span class="status status-{{STATUS}}">{{STATUS}}</span>{{PENDING_TEXT}}{{#HAS_LAST}}<span class="sub">{{LAST_VALUE}} at {{LAST_AT}}</span>{{/HAS_LAST}}</td>
      <td data-label="Enabled" class="rule-enabled">
        <span class="onoff">{{ENABLED_TEXT}}</span>
        {{#CAN_ADMIN}}<form method="post" action="/rules/{{ID}}/enabled" class="inline">
          <input type="hidden" name="_csrf" value="{{CSRF}}">
          <input type="hidden" name="enabled" value="{{TOGGLE_TO}}">
          <button type="submit" class="small" aria-label="{{TOGGLE_LABEL}} {{NAME}}">{{TOGGLE_LABEL}}</button>
        </form>{{/CAN_ADMIN}}
      </td>
    </tr>
    {{/RULE}}
    </tbody>
  </table>
  </div>
  {{#NONE}}<p class="empty">No rules yet.{{#CAN_ADMIN}} <a href="/rules/new">Create the first one.</a>{{/CAN_ADMIN}}</p>{{/NONE}}
  {{#NO_MATCH}}<p class="empty">No rule matches. <a href="/rules">Show every rule.</a></p>{{/NO_MATCH}}
  <nav class="pager" aria-label="Pages of rules">
    <span>{{#PREV}}<a href="{{URL}}" rel="prev">« Previous</a>{{/PREV}}</span>
    <span>{{PAGE_TEXT}}</span>
    <span>{{#NEXT}}<a href="{{URL}}" rel="next">Next »</a>{{/NEXT}}</span>
  </nav>
</section>
