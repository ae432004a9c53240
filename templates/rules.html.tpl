{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Rules</h1>
  <a class="button" href="/calendar">Opening hours</a>
  <a class="button" href="/contact-points">Contact points</a>
  <a class="button" href="/notification-policies">Notification policies</a>
  <a class="button" href="/escalation-policies">Escalation policies</a>
  {{#CAN_ADMIN}}<a class="button primary" href="/rules/new">New rule</a>{{/CAN_ADMIN}}
</div>
<section class="card">
  <div class="table-wrap">
  <table id="rules">
    <caption class="sr-only">Alert rules</caption>
    <thead><tr><th scope="col">Rule</th><th scope="col">Fires when</th><th scope="col">Severity</th><th scope="col">Recipients</th><th scope="col">Status</th><th scope="col">Enabled</th></tr></thead>
    <tbody>
    {{#RULE}}
    <tr data-rule-id="{{ID}}">
      <td><a href="/rules/{{ID}}">{{NAME}}</a>{{#HAS_DESCRIPTION}}<span class="sub">{{DESCRIPTION}}</span>{{/HAS_DESCRIPTION}}</td>
      <td>{{KPI_NAME}} {{CONDITION_TEXT}}</td>
      <td><span class="sev sev-{{SEVERITY}}">{{SEVERITY}}</span></td>
      <td>{{RECIPIENT_COUNT}}</td>
      <td class="rule-status"><span class="status status-{{STATUS}}">{{STATUS}}</span>{{PENDING_TEXT}}{{#HAS_LAST}}<span class="sub">{{LAST_VALUE}} at {{LAST_AT}}</span>{{/HAS_LAST}}</td>
      <td>
        {{#CAN_ADMIN}}<form method="post" action="/rules/{{ID}}/enabled" class="inline">
          <input type="hidden" name="_csrf" value="{{CSRF}}">
          <input type="hidden" name="enabled" value="{{TOGGLE_TO}}">
          <button type="submit" class="small" aria-label="{{TOGGLE_LABEL}} {{NAME}}">{{ENABLED_TEXT}} · {{TOGGLE_LABEL}}</button>
        </form>{{/CAN_ADMIN}}
        {{#READ_ONLY}}{{ENABLED_TEXT}}{{/READ_ONLY}}
      </td>
    </tr>
    {{/RULE}}
    </tbody>
  </table>
  </div>
  {{#NONE}}<p class="empty">No rules yet.{{#CAN_ADMIN}} <a href="/rules/new">Create the first one.</a>{{/CAN_ADMIN}}</p>{{/NONE}}
</section>
