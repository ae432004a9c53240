{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Silences</h1>
  <p class="meta">A silenced rule still records its alerts but mails nobody.</p>
  {{#CAN_OPERATE}}<a class="button primary jump" href="#new-title">New silence</a>{{/CAN_OPERATE}}
</div>
<div class="grid-2">
  <section class="card" aria-labelledby="active-title">
    <h2 id="active-title">Active and planned</h2>
    <div class="table-wrap">
    <table class="rows">
      <thead><tr><th scope="col">What</th><th scope="col">Until</th><th scope="col">Why</th>{{#CAN_OPERATE}}<th scope="col"><span class="sr-only">Actions</span></th>{{/CAN_OPERATE}}</tr></thead>
      <tbody>
      {{#ACTIVE}}<tr>
        <td>{{SCOPE_TEXT}}{{REPEAT_TEXT}} <span class="state state-{{STATUS}}">{{STATUS}}</span></td>
        <td data-label="Until"><time datetime="{{ENDS_ISO}}">{{ENDS}}</time></td>
        <td data-label="Why">{{REASON}}<span class="sub">by {{BY}}</span></td>
        {{#CAN_OPERATE}}<td><form method="post" action="/silences/{{ID}}/end" class="inline">
          <input type="hidden" name="_csrf" value="{{CSRF}}">
          <button type="submit" class="small">End now</button>
        </form></td>{{/CAN_OPERATE}}
      </tr>{{/ACTIVE}}
      </tbody>
    </table>
    </div>
    {{#NO_ACTIVE}}<p class="empty">Nothing is silenced.</p>{{/NO_ACTIVE}}
  </section>
  {{#CAN_OPERATE}}
  <section class="card" aria-labelledby="new-title">
    <h2 id="new-title">Silence</h2>
    <form method="post" action="/silences" class="form">
      <input type="hidden" name="_csrf" value="{{CSRF}}">
      <div class="field">
        <label for="scope">What</label>
        <select id="scope" name="scope" aria-describedby="err-scope">
          <option value="all" {{#SCOPE_ALL}}selected{{/SCOPE_ALL}}>everything</option>
          <option value="rule" {{#SCOPE_RULE}}selected{{/SCOPE_RULE}}>one rule</option>
          <option value="kpi" {{#SCOPE_KPI}}selected{{/SCOPE_KPI}}>every rule of one KPI</option>
        </select>
        <p class="field-error" id="err-scope">{{#ERR_SCOPE}}{{MSG}}{{/ERR_SCOPE}}</p>
      </div>
      <div class="field" data-scope="rule">
        <label for="rule_id">Rule</label>
        <select id="rule_id" name="rule_id" aria-describedby="err-rule_id">
          <option value="">choose a rule</option>
          {{#RULE_OPT}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{LABEL}}</option>{{/RULE_OPT}}
        </select>
        <p class="field-error" id="err-rule_id">{{#ERR_RULE_ID}}{{MSG}}{{/ERR_RULE_ID}}</p>
      </div>
      <div class="field" data-scope="kpi">
        <label for="kpi">KPI</label>
        <select id="kpi" name="kpi" aria-describedby="err-kpi">
          <option value="">choose a KPI</option>
          {{#KPI_OPT}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{LABEL}}</option>{{/KPI_OPT}}
        </select>
        <p class="field-error" id="err-kpi">{{#ERR_KPI}}{{MSG}}{{/ERR_KPI}}</p>
      </div>
      <div class="field">
        <label for="minutes">For</label>
        <select id="minutes" name="minutes" aria-describedby="err-minutes">
          {{#DURATION}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{LABEL}}</option>{{/DURATION}}
        </select>
        <p class="field-error" id="err-minutes">{{#ERR_MINUTES}}{{MSG}}{{/ERR_MINUTES}}</p>
      </div>
      <fieldset class="field" aria-describedby="repeat-help err-repeat">
        <legend>Repeat every week (optional)</legend>
        <p class="meta" id="repeat-help">Tick weekdays to mute only from a time to a time on them, on the shop's clock, until the silence ends.</p>
        <div class="checks">{{#REPEAT_DAY}}<label class="check"><input type="checkbox" name="{{NAME}}" value="1" {{#CHECKED}}checked{{/CHECKED}}> {{LABEL}}</label> {{/REPEAT_DAY}}</div>
        <div class="times">
          <label for="rec_from">From</label>
          <input id="rec_from" name="rec_from" type="time" value="{{REC_FROM}}">
          <label for="rec_to">to</label>
          <input id="rec_to" name="rec_to" type="time" value="{{REC_TO}}">
        </div>
        <p class="field-error" id="err-repeat">{{#ERR_REPEAT}}{{MSG}}{{/ERR_REPEAT}}</p>
      </fieldset>
      <div class="field">
        <label for="reason">Why</label>
        <input id="reason" name="reason" type="text" maxlength="1000" required value="{{REASON_VALUE}}" aria-describedby="err-reason">
        <p class="field-error" id="err-reason">{{#ERR_REASON}}{{MSG}}{{/ERR_REASON}}</p>
      </div>
      <div class="actions"><button type="submit" class="primary">Silence</button></div>
    </form>
  </section>
  {{/CAN_OPERATE}}
</div>
<section class="card" aria-labelledby="past-title">
  <h2 id="past-title">Past</h2>
  <div class="table-wrap">
  <table class="rows">
    <thead><tr><th scope="col">What</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Why</th></tr></thead>
    <tbody>
    {{#PAST}}<tr><td>{{SCOPE_TEXT}}{{REPEAT_TEXT}}</td><td data-label="From"><time datetime="{{STARTS_ISO}}">{{STARTS}}</time></td><td data-label="To"><time datetime="{{ENDS_ISO}}">{{ENDS}}</time></td><td data-label="Why">{{REASON}}<span class="sub">by {{BY}}</span></td></tr>{{/PAST}}
    </tbody>
  </table>
  </div>
  {{#NO_PAST}}<p class="empty">No silences yet.</p>{{/NO_PAST}}
</section>
