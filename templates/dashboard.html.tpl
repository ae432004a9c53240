{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Dashboard</h1>
  <p class="meta">
    Last evaluation: <span id="last-eval">{{#LAST_EVAL}}<time datetime="{{LAST_EVAL_ISO}}">{{LAST_EVAL}}</time>{{/LAST_EVAL}}{{#NO_EVAL}}never{{/NO_EVAL}}</span>
    · <span class="live" id="live-status" role="status" aria-live="polite">live updates need JavaScript</span>
    <button type="button" class="link" id="notify-button" hidden>Notify me of critical alerts</button>
  </p>
</div>

<section class="counters" aria-label="Summary" id="counters">
  <a class="counter counter-firing" href="/alerts?state=firing"><span class="n" id="count-firing">{{FIRING}}</span><span class="what">firing</span></a>
  <a class="counter counter-critical" href="/alerts?state=firing&amp;severity=critical"><span class="n" id="count-critical">{{CRITICAL_FIRING}}</span><span class="what">critical open</span></a>
  <a class="counter counter-acked" href="/alerts?state=acknowledged"><span class="n" id="count-acknowledged">{{ACKNOWLEDGED}}</span><span class="what">acknowledged</span></a>
  <a class="counter counter-resolved" href="/alerts?state=resolved"><span class="n" id="count-resolved">{{RESOLVED_24H}}</span><span class="what">resolved (24 h)</span></a>
  <div class="counter"><span class="n" id="count-mtta">{{MTTA}}</span><span class="what">to acknowledge (7 days)</span></div>
  {{#MAIL_DEAD}}<a class="counter counter-dead" href="/alerts"><span class="n">{{MAIL_DEAD_N}}</span><span class="what">mails failed</span></a>{{/MAIL_DEAD}}
</section>

{{#SYSTEM}}<section class="card system-alerts" aria-labelledby="system-title" id="system-alerts">
  <h2 id="system-title">goldwatch itself</h2>
  <p class="meta">goldwatch's own checks failed: alerts may not be raised, delivered or shown live until this is fixed.</p>
  <div class="table-wrap">
  <table class="alerts">
    <thead><tr><th scope="col">Severity</th><th scope="col">Check</th><th scope="col" class="hide-narrow">Since</th><th scope="col">State</th></tr></thead>
    <tbody>
    {{#SYS_ALERT}}<tr data-alert-id="{{ALERT_ID}}" class="sev-row-{{SEVERITY}}">
      <td><span class="sev sev-{{SEVERITY}}">{{SEVERITY}}</span></td>
      <td><a href="/alerts/{{ALERT_ID}}">{{RULE_NAME}}</a><span class="sub">{{MESSAGE}}</span></td>
      <td class="hide-narrow"><time datetime="{{TRIGGERED_ISO}}">{{TRIGGERED}}</time></td>
      <td><span class="state state-{{STATE}}" data-field="state">{{STATE}}</span></td>
    </tr>{{/SYS_ALERT}}
    </tbody>
  </table>
  </div>
</section>{{/SYSTEM}}

<div class="grid-2">
  <section class="card" aria-labelledby="open-title">
    <h2 id="open-title">Open alerts</h2>
    {{#NO_RULES}}<div class="no-rules" id="no-rules">
      <p><strong>There are no rules yet</strong>, so nothing can fire: goldwatch watches the shop's figures through rules.</p>
      {{#CAN_ADMIN}}<div class="actions">
        <form method="post" action="/rules/load-starter" class="inline">
          <input type="hidden" name="_csrf" value="{{CSRF}}">
          <button type="submit" class="primary">Load the starter rules</button>
        </form>
        <a class="button" href="/rules/new">Create a rule</a>
      </div>
      <p class="hint">The starter rules are a dozen a gold shop keeps: 22k rings running out, the gold price moving 3% in a day, refunds and overdue receivables past normal, a sales day far below the same weekday. They mail the admin address and can be changed or switched off on the rules page.</p>{{/CAN_ADMIN}}
      {{#READ_ONLY}}<p class="hint">An admin can create rules or load the starter rules.</p>{{/READ_ONLY}}
    </div>{{/NO_RULES}}
    <div class="empty" id="open-empty" {{#HAS_OPEN}}hidden{{/HAS_OPEN}}{{#NO_RULES}}hidden{{/NO_RULES}}{{#PAST_END}}hidden{{/PAST_END}}>
      {{#ALL_QUIET}}<p>Nothing is firing. All quiet.</p>{{/ALL_QUIET}}
      {{#WATCHING}}<p>Nothing is firing. <span id="watching">{{WATCHING_N}} {{RULES_ARE}} watching.</span></p>
      <p class="meta">Last evaluation: {{#WATCH_LAST}}<time datetime="{{WATCH_LAST_ISO}}">{{WATCH_LAST}}</time>{{/WATCH_LAST}}{{#WATCH_NEVER}}never{{/WATCH_NEVER}}
        · next evaluation: <time datetime="{{NEXT_EVAL_ISO}}" id="next-eval">{{NEXT_EVAL}}</time></p>{{/WATCHING}}
    </div>
    {{#HAS_OPEN}}<p class="meta" id="open-count"><span id="open-total">{{OPEN_TOTAL}}</span> open {{ALERTS_WORD}}, showing {{OPEN_FROM}}-{{OPEN_TO}}</p>{{/HAS_OPEN}}
    {{#PAST_END}}<p class="meta" id="open-count">{{OPEN_TOTAL}} open {{ALERTS_WORD}}; this page is past the last one. <a href="/">The first page</a></p>{{/PAST_END}}
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
    <table class="alerts rows" id="open-alerts" {{#NO_OPEN}}hidden{{/NO_OPEN}}>
      <caption class="sr-only">Open alerts, the most severe first, the oldest first within a severity</caption>
      <thead><tr>{{#CAN_OPERATE}}<th scope="col"><span class="sr-only">Select</span></th>{{/CAN_OPERATE}}<th scope="col">Alert</th><th scope="col">Severity</th><th scope="col">Value</th><th scope="col" class="hide-narrow">Since</th><th scope="col">State</th>{{#CAN_OPERATE}}<th scope="col"><span class="sr-only">Actions</span></th>{{/CAN_OPERATE}}</tr></thead>
      <tbody>
      {{#ALERT}}
      <tr data-alert-id="{{ALERT_ID}}" data-severity="{{SEVERITY}}" class="sev-row-{{SEVERITY}}">
        {{#CAN_OPERATE}}<td class="pick">{{#IS_FIRING}}<input type="checkbox" form="bulk-ack" name="ack_{{ALERT_ID}}" value="1" id="pick-{{ALERT_ID}}" aria-label="Select {{RULE_NAME}}">{{/IS_FIRING}}</td>{{/CAN_OPERATE}}
        <td class="main"><a href="/alerts/{{ALERT_ID}}">{{RULE_NAME}}</a><span class="sub">{{KPI_NAME}}</span></td>
        <td data-label="Severity"><span class="sev sev-{{SEVERITY}}">{{SEVERITY}}</span></td>
        <td data-label="Value">{{VALUE}}<span class="sub">{{THRESHOLD}}</span></td>
        <td data-label="Since" class="hide-narrow"><time datetime="{{TRIGGERED_ISO}}">{{TRIGGERED}}</time></td>
        <td data-label="State"><span class="state state-{{STATE}}" data-field="state" tabindex="-1">{{STATE}}</span><span class="sub note" data-field="note">{{ACK_NOTE}}</span></td>
        {{#CAN_OPERATE}}<td class="act">{{#IS_FIRING}}<form method="post" action="/alerts/{{ALERT_ID}}/acknowledge" class="ack-form inline">
          <input type="hidden" name="_csrf" value="{{CSRF}}">
          <input type="hidden" name="back" value="{{BACK}}">
          <button type="submit" class="small">Acknowledge<span class="sr-only"> {{RULE_NAME}}</span></button>
        </form>{{/IS_FIRING}}</td>{{/CAN_OPERATE}}
      </tr>
      {{/ALERT}}
      </tbody>
    </table>
    </div>
    {{#PAGER}}<nav class="pager" aria-label="Open alerts pages">
      <span>{{#PREV}}<a href="{{PREV_URL}}" rel="prev">« Previous {{PAGE_SIZE}}</a>{{/PREV}}</span>
      <span>{{#NEXT}}<a href="{{NEXT_URL}}" rel="next">Next: {{NEXT_FROM}}-{{NEXT_TO}} of {{OPEN_TOTAL}} »</a>{{/NEXT}}</span>
    </nav>{{/PAGER}}
  </section>

  <section class="card feed-card" aria-labelledby="feed-title">
    <h2 id="feed-title">Live feed</h2>
    <ol class="feed" id="live-feed" aria-live="polite">
      {{#EVENT}}<li class="feed-{{EVENT_KIND}}"><time datetime="{{AT_ISO}}">{{AT}}</time> <span class="what">{{EVENT_TEXT}}</span></li>{{/EVENT}}
    </ol>
    <p class="empty" id="feed-empty" {{#HAS_EVENTS}}hidden{{/HAS_EVENTS}}>No alert activity yet.</p>
  </section>
</div>

{{#FAILURES}}<section class="card" aria-labelledby="failures-title" id="delivery-failures">
  <h2 id="failures-title">Delivery failures</h2>
  <p class="meta">Messages that could not be delivered (dead) and those being tried again, per contact point.</p>
  <div class="table-wrap">
  <table>
    <thead><tr><th scope="col">Contact point</th><th scope="col">Dead</th><th scope="col">Retrying</th></tr></thead>
    <tbody>
    {{#FAILURE}}<tr><td>{{#F_LINK}}<a href="/contact-points/{{F_ID}}">{{/F_LINK}}{{F_NAME}}{{#F_LINK}}</a>{{/F_LINK}}</td><td>{{F_DEAD}}</td><td>{{F_RETRYING}}</td></tr>{{/FAILURE}}
    </tbody>
  </table>
  </div>
</section>{{/FAILURES}}
