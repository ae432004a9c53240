{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Opening hours</h1>
  <p class="meta">The shop's calendar, on the clock of {{ZONE}}. Rules set to run only while the shop is open (or closed) follow it.</p>
  {{#CAN_ADMIN}}<a class="button primary jump" href="#edit-title">Change the hours</a>{{/CAN_ADMIN}}
</div>
<div class="grid-2">
  <section class="card" aria-labelledby="week-title">
    <h2 id="week-title">Every week</h2>
    <div class="table-wrap">
    <table id="calendar-week">
      <thead><tr><th scope="col">Day</th><th scope="col">Open</th></tr></thead>
      <tbody>
      {{#DAY}}<tr><th scope="row">{{WDAY}}</th><td>{{HOURS}}{{#CLOSED}}closed{{/CLOSED}}</td></tr>{{/DAY}}
      </tbody>
    </table>
    </div>
    <h2>Closed days</h2>
    <ul id="calendar-closed">
      {{#CLOSED_DAY}}<li><time datetime="{{DATE}}">{{DATE}}</time> {{REASON}}</li>{{/CLOSED_DAY}}
    </ul>
    {{#NO_CLOSED}}<p class="empty">No closed days.</p>{{/NO_CLOSED}}
  </section>
  {{#CAN_ADMIN}}
  <section class="card" aria-labelledby="edit-title">
    <h2 id="edit-title">Change</h2>
    <form method="post" action="/calendar" class="form">
      <input type="hidden" name="_csrf" value="{{CSRF}}">
      {{#ERR_FORM}}<p class="field-error">{{MSG}}</p>{{/ERR_FORM}}
      <div class="field"><label for="hours_mon">Monday</label>
        <input id="hours_mon" name="hours_mon" type="text" value="{{HOURS_MON}}" aria-describedby="err-mon">
        <p class="field-error" id="err-mon">{{#ERR_MON}}{{MSG}}{{/ERR_MON}}</p></div>
      <div class="field"><label for="hours_tue">Tuesday</label>
        <input id="hours_tue" name="hours_tue" type="text" value="{{HOURS_TUE}}" aria-describedby="err-tue">
        <p class="field-error" id="err-tue">{{#ERR_TUE}}{{MSG}}{{/ERR_TUE}}</p></div>
      <div class="field"><label for="hours_wed">Wednesday</label>
        <input id="hours_wed" name="hours_wed" type="text" value="{{HOURS_WED}}" aria-describedby="err-wed">
        <p class="field-error" id="err-wed">{{#ERR_WED}}{{MSG}}{{/ERR_WED}}</p></div>
      <div class="field"><label for="hours_thu">Thursday</label>
        <input id="hours_thu" name="hours_thu" type="text" value="{{HOURS_THU}}" aria-describedby="err-thu">
        <p class="field-error" id="err-thu">{{#ERR_THU}}{{MSG}}{{/ERR_THU}}</p></div>
      <div class="field"><label for="hours_fri">Friday</label>
        <input id="hours_fri" name="hours_fri" type="text" value="{{HOURS_FRI}}" aria-describedby="err-fri">
        <p class="field-error" id="err-fri">{{#ERR_FRI}}{{MSG}}{{/ERR_FRI}}</p></div>
      <div class="field"><label for="hours_sat">Saturday</label>
        <input id="hours_sat" name="hours_sat" type="text" value="{{HOURS_SAT}}" aria-describedby="err-sat">
        <p class="field-error" id="err-sat">{{#ERR_SAT}}{{MSG}}{{/ERR_SAT}}</p></div>
      <div class="field"><label for="hours_sun">Sunday</label>
        <input id="hours_sun" name="hours_sun" type="text" value="{{HOURS_SUN}}" aria-describedby="err-sun">
        <span class="hint">Like 10:00-14:00, 15:00-21:00; empty: closed that day.</span>
        <p class="field-error" id="err-sun">{{#ERR_SUN}}{{MSG}}{{/ERR_SUN}}</p></div>
      <div class="field"><label for="closed_days">Closed days</label>
        <textarea id="closed_days" name="closed_days" rows="4" aria-describedby="err-closed">
{{CLOSED_TEXT:pre_escape}}</textarea>
        <span class="hint">One a line: 2026-12-25 Christmas</span>
        <p class="field-error" id="err-closed">{{#ERR_CLOSED}}{{MSG}}{{/ERR_CLOSED}}</p></div>
      <div class="actions"><button type="submit" class="primary">Save</button></div>
    </form>
  </section>
  {{/CAN_ADMIN}}
</div>
