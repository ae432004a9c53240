{{%AUTOESCAPE context="HTML"}}
<p class="crumbs"><a href="/alerts">Alerts</a> › #{{ALERT_ID}}</p>
<div class="page-head" id="alert-detail" data-alert-id="{{ALERT_ID}}">
  <h1><span class="sev sev-{{SEVERITY}}">{{SEVERITY}}</span> {{RULE_NAME}}</h1>
  <p class="meta"><span class="state state-{{STATE}}" id="alert-state">{{STATE}}</span>{{#SILENCED}} <span class="tag">silenced: no mail was sent</span>{{/SILENCED}}
  · <span class="live" id="live-status" role="status" aria-live="polite"></span></p>
</div>
<p class="message">{{MESSAGE}}</p>
{{#CAN_OPERATE}}<section class="card alert-actions" aria-label="Act on this alert" id="alert-actions">
  {{#IS_FIRING}}<form method="post" action="/alerts/{{ALERT_ID}}/acknowledge" class="ack-form" id="ack-form">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    <input type="hidden" name="back" value="/alerts/{{ALERT_ID}}">
    <label for="ack-note-input">Note (optional)</label>
    <div class="act-row">
      <textarea id="ack-note-input" name="note" maxlength="1000" rows="1" placeholder="What you are doing about it"></textarea>
      <button type="submit" class="primary">Acknowledge</button>
    </div>
  </form>{{/IS_FIRING}}
  {{#HAS_RULE}}<form method="post" action="/silences" class="silence-form" id="silence-form">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    <input type="hidden" name="scope" value="rule">
    <input type="hidden" name="rule_id" value="{{RULE_ID}}">
    <input type="hidden" name="reason" value="Silenced from alert #{{ALERT_ID}}">
    <input type="hidden" name="back" value="/alerts/{{ALERT_ID}}">
    <label for="silence-minutes">Silence this rule for</label>
    <div class="act-row">
      <select id="silence-minutes" name="minutes">
        <option value="60">1 hour</option>
        <option value="240" selected>4 hours</option>
        <option value="1440">1 day</option>
        <option value="10080">1 week</option>
      </select>
      <button type="submit">Silence</button>
    </div>
  </form>{{/HAS_RULE}}
</section>{{/CAN_OPERATE}}
<div class="grid-2">
  <section class="card" aria-labelledby="chart-title">
    <h2 id="chart-title">{{KPI_NAME}} around the firing</h2>
    {{CHART:none}}
    {{#NO_THRESHOLD_LINE}}<p class="meta">This rule compares a {{CONDITION_KIND}}, not the value itself, so the chart has no threshold line.</p>{{/NO_THRESHOLD_LINE}}
    {{#ADVICE}}<p class="advice"><strong>What to check:</strong> {{RECOMMENDATION}}</p>{{/ADVICE}}
  </section>
  <section class="card" aria-labelledby="facts-title">
    <h2 id="facts-title">Details</h2>
    <dl class="facts">
      <dt>KPI</dt><dd><a href="/kpis/{{KPI}}">{{KPI_NAME}}</a></dd>
      <dt>Value</dt><dd>{{VALUE}}</dd>
      <dt>Threshold</dt><dd>{{THRESHOLD}}</dd>
      <dt>Rule</dt><dd>{{#HAS_RULE}}<a href="/rules/{{RULE_ID}}">{{RULE_NAME}}</a>{{/HAS_RULE}}{{#NO_RULE}}{{RULE_NAME}} (deleted){{/NO_RULE}}</dd>
      <dt>Triggered</dt><dd><time datetime="{{TRIGGERED_ISO}}">{{TRIGGERED}}</time></dd>
      <dt>Acknowledged</dt><dd id="ack-info">{{#WAS_ACKED}}by {{ACKNOWLEDGED_BY}}, <time datetime="{{ACKNOWLEDGED_ISO}}">{{ACKNOWLEDGED}}</time>{{/WAS_ACKED}}{{#NOT_ACKED}}not yet{{/NOT_ACKED}}</dd>
      <dt id="ack-note-term" {{#NO_NOTE}}hidden{{/NO_NOTE}}>Note</dt><dd id="ack-note" {{#NO_NOTE}}hidden{{/NO_NOTE}}>{{ACK_NOTE}}</dd>
      <dt>Resolved</dt><dd id="resolved-info">{{#WAS_RESOLVED}}<time datetime="{{RESOLVED_ISO}}">{{RESOLVED}}</time>{{/WAS_RESOLVED}}{{#NOT_RESOLVED}}not yet{{/NOT_RESOLVED}}</dd>
      <dt>Escalation level</dt><dd id="escalation-level">{{ESCALATION_LEVEL}}</dd>
    </dl>
  </section>
</div>
<section class="card" aria-labelledby="timeline-title">
  <h2 id="timeline-title">Timeline</h2>
  <ol class="timeline" id="timeline">
    {{#EVENT}}<li class="ev-{{EVENT_KIND}}"><time datetime="{{AT_ISO}}">{{AT}}</time> <span class="what">{{EVENT_TEXT}}</span>{{#EVENT_NOTE}} <q class="note">{{NOTE}}</q>{{/EVENT_NOTE}}</li>{{/EVENT}}
  </ol>
</section>
<section class="card" aria-labelledby="deliveries-title">
  <h2 id="deliveries-title">Deliveries</h2>
  {{#NO_DELIVERIES}}<p class="empty" id="no-deliveries">No message about this alert went out.</p>{{/NO_DELIVERIES}}
  {{#HAS_DELIVERIES}}<div class="table-wrap">
  <table id="deliveries" class="rows">
    <thead><tr><th scope="col">Contact point</th><th scope="col">Channel</th><th scope="col">Kind</th><th scope="col">To</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col" class="hide-narrow">Last error</th><th scope="col" class="hide-narrow">Queued</th><th scope="col">Sent</th></tr></thead>
    <tbody>
    {{#DELIVERY}}<tr data-delivery-id="{{D_ID}}">
      <td>{{D_CP}}</td><td data-label="Channel">{{D_CHANNEL}}</td><td data-label="Kind">{{D_KIND}}</td><td class="wrap" data-label="To">{{D_TARGET}}</td>
      <td data-label="Status"><span class="delivery-{{D_STATUS}}">{{D_STATUS}}</span>{{#D_RETRY}}
        <form method="post" action="/notifications/{{D_ID}}/retry" class="inline">
          <input type="hidden" name="_csrf" value="{{CSRF}}">
          <input type="hidden" name="back" value="/alerts/{{ALERT_ID}}">
          <button type="submit" class="small">Retry</button>
        </form>{{/D_RETRY}}</td>
      <td data-label="Attempts">{{D_ATTEMPTS}}</td><td class="hide-narrow wrap" data-label="Last error">{{D_ERROR}}</td>
      <td class="hide-narrow" data-label="Queued"><time datetime="{{D_CREATED_ISO}}">{{D_CREATED}}</time></td>
      <td data-label="Sent">{{#D_SENT}}<time datetime="{{D_SENT_AT_ISO}}">{{D_SENT_AT}}</time>{{/D_SENT}}</td>
    </tr>{{/DELIVERY}}
    </tbody>
  </table>
  </div>{{/HAS_DELIVERIES}}
</section>
