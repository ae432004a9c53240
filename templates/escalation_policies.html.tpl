{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  {{#LIST}}<h1>Escalation policies</h1>
  <p class="meta">Who is told, level by level, while an alert stays unacknowledged. A rule takes one on its form. · <a href="/contact-points">Contact points</a> · <a href="/notification-policies">Notification policies</a></p>{{/LIST}}
  {{#NEW}}<h1>New escalation policy</h1>
  <p class="meta"><a href="/escalation-policies">All escalation policies</a></p>{{/NEW}}
  {{#EDIT}}<h1>{{EP_NAME}}</h1>
  <p class="meta"><a href="/escalation-policies">All escalation policies</a></p>{{/EDIT}}
  {{#LIST}}{{#CAN_ADMIN}}<a class="button primary" href="/escalation-policies/new">New escalation policy</a>{{/CAN_ADMIN}}{{/LIST}}
</div>
{{#LIST}}<section class="card" aria-labelledby="list-title">
  <h2 id="list-title">Policies</h2>
  <div class="table-wrap">
  <table id="escalation-policies" class="rows">
    <thead><tr><th scope="col">Name</th><th scope="col">Levels</th><th scope="col">Runs again</th></tr></thead>
    <tbody>
    {{#EP}}<tr><td><a href="/escalation-policies/{{ID}}">{{NAME}}</a></td><td data-label="Levels">{{LEVELS}}</td><td data-label="Runs again">{{REPEAT}}</td></tr>{{/EP}}
    </tbody>
  </table>
  </div>
  {{#NO_EP}}<p class="empty">No escalation policies yet.</p>{{/NO_EP}}
</section>{{/LIST}}
{{#FORM}}
{{#NO_CPS}}<p class="empty">There are no contact points yet: <a href="/contact-points">add one</a> first, then choose it for a level.</p>{{/NO_CPS}}
{{#READ_ONLY}}<p class="meta">Only an admin changes escalation policies.</p>{{/READ_ONLY}}
<div class="grid-2">
  <section class="card" aria-labelledby="form-title">
    <h2 id="form-title">Levels</h2>
    <form method="post" action="{{ACTION}}" class="form" id="ep-form">
      <input type="hidden" name="_csrf" value="{{CSRF}}">
      <input type="hidden" name="count" value="{{COUNT}}">
      {{#ERR_FORM}}<p class="field-error" role="alert">{{MSG}}</p>{{/ERR_FORM}}
      {{!-- Save first too: in sight on a phone, and the button Enter in a field presses (not Remove level) --}}
      {{#CAN_ADMIN}}<div class="actions form-top"><button type="submit" class="primary">Save</button></div>{{/CAN_ADMIN}}
      {{#READ_ONLY}}<fieldset disabled>{{/READ_ONLY}}
      <div class="field">
        <label for="name">Name</label>
        <input id="name" name="name" type="text" maxlength="100" required value="{{NAME_VALUE}}" aria-describedby="err-name">
        <p class="field-error" id="err-name">{{#ERR_NAME}}{{MSG}}{{/ERR_NAME}}</p>
      </div>
      {{#LEVEL}}
      <fieldset class="field level" id="level-{{N}}">
        <legend>Level {{N}}</legend>
        <label for="l{{I}}-after">{{#FIRST}}Minutes after the alert fired{{/FIRST}}{{#LATER}}Minutes after level {{PREV}}{{/LATER}}</label>
        <input id="l{{I}}-after" name="l{{I}}_after" type="text" inputmode="numeric" maxlength="6" value="{{AFTER}}" aria-describedby="err-l{{I}}-after">
        <p class="field-error" id="err-l{{I}}-after">{{#ERR_AFTER}}{{MSG}}{{/ERR_AFTER}}</p>
        <fieldset class="field">
          <legend>Tell</legend>
          <div class="checks">{{#CP_OPT}}<label class="check"><input type="checkbox" name="l{{I}}_cp_{{V}}" value="1" {{#SEL}}checked{{/SEL}}> {{LABEL}}</label>{{/CP_OPT}}</div>
          <p class="field-error" id="err-l{{I}}-cp">{{#ERR_CP}}{{MSG}}{{/ERR_CP}}</p>
        </fieldset>
        {{#CAN_REMOVE}}<div class="actions"><button type="submit" name="op" value="remove-{{I}}" class="small danger">Remove level {{N}}</button></div>{{/CAN_REMOVE}}
      </fieldset>
      {{/LEVEL}}
      {{#CAN_ADD}}<div class="actions"><button type="submit" name="op" value="add" class="small">Add a level</button></div>{{/CAN_ADD}}
      <div class="field">
        <label for="repeat">Run through the levels again, times (0 to 10)</label>
        <input id="repeat" name="repeat" type="text" inputmode="numeric" maxlength="3" value="{{REPEAT_VALUE}}" aria-describedby="err-repeat">
        <p class="field-error" id="err-repeat">{{#ERR_REPEAT}}{{MSG}}{{/ERR_REPEAT}}</p>
      </div>
      {{#CAN_ADMIN}}<div class="actions"><button type="submit" class="primary">Save</button></div>{{/CAN_ADMIN}}
      {{#READ_ONLY}}</fieldset>{{/READ_ONLY}}
    </form>
  </section>
  {{#EDIT}}{{#CAN_ADMIN}}<section class="card" aria-labelledby="delete-title">
    <h2 id="delete-title">Delete</h2>
    <p>Rules that take this policy must be given another first.</p>
    <form method="post" action="/escalation-policies/{{EP_ID}}/delete" class="inline">
      <input type="hidden" name="_csrf" value="{{CSRF}}">
      <input type="hidden" name="confirm" value="1">
      <button type="submit" class="danger">Delete {{EP_NAME}}</button>
    </form>
  </section>{{/CAN_ADMIN}}{{/EDIT}}
</div>
{{/FORM}}
