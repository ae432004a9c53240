{{%AUTOESCAPE context="HTML"}}
<section class="card ack">
  <h1>{{HEADING}}</h1>
  {{#ERROR}}<p class="flash flash-error" role="alert" id="ack-error">{{ERROR_TEXT}}</p>{{/ERROR}}
  {{#NOTICE}}<p class="flash flash-{{NOTICE_KIND}}" role="status" id="ack-notice">{{NOTICE_TEXT}}</p>{{/NOTICE}}
  <p class="lead"><span class="sev sev-{{SEVERITY}}">{{SEVERITY}}</span> {{RULE_NAME}} · <span id="ack-state">{{STATE}}</span></p>
  {{#FORM}}
  <form method="post" action="/alerts/{{ALERT_ID}}/ack" class="form" id="ack-form">
    <input type="hidden" name="t" value="{{TOKEN}}">
    <div class="field">
      <label for="note">Note (optional): what you are doing about it</label>
      <textarea id="note" name="note" rows="3" maxlength="1000">
{{NOTE:pre_escape}}</textarea>
    </div>
    <button type="submit" class="primary">Acknowledge as {{ACK_USER}}</button>
  </form>
  {{/FORM}}
  <table class="facts ack-facts">
    <tr><th scope="row">KPI</th><td>{{KPI_NAME}}</td></tr>
    <tr><th scope="row">What happened</th><td>{{MESSAGE}}</td></tr>
    <tr><th scope="row">Fired</th><td><time datetime="{{TRIGGERED_ISO}}">{{TRIGGERED}}</time></td></tr>
  </table>
  <p><a href="/alerts/{{ALERT_ID}}">Open the alert</a> (after signing in)</p>
</section>
