{{%AUTOESCAPE context="HTML"}}
<p class="crumbs"><a href="/rules">Rules</a> › {{CRUMB}}</p>
<div class="page-head">
  <h1>{{HEADING}}</h1>
  {{#EXISTING}}<p class="meta"><a href="/alerts?rule_id={{ID}}">Alerts of this rule</a></p>{{/EXISTING}}
  {{#MADE}}<p class="meta" id="rule-made">{{#CREATED}}Created by {{BY}} on <time datetime="{{AT_ISO}}">{{AT}}</time>{{/CREATED}}{{#CHANGED}}{{SEP}}{{VERB}} by {{BY}} on <time datetime="{{AT_ISO}}">{{AT}}</time>{{/CHANGED}}</p>{{/MADE}}
  {{#HAS_STATUS}}<p class="meta" id="rule-status">Status: <span class="status status-{{STATUS}}">{{STATUS}}</span>{{PENDING_TEXT}}{{#HAS_LAST}} · last value {{LAST_VALUE}} at {{LAST_AT}}{{/HAS_LAST}}</p>{{/HAS_STATUS}}
</div>
{{#HAS_ERRORS}}<div class="flash flash-error error-summary" role="alert" id="form-errors" tabindex="-1" aria-labelledby="form-errors-title">
  <h2 id="form-errors-title">{{ERROR_COUNT_TEXT}}</h2>
  <ul>{{#ERROR}}<li><a href="#{{FIELD}}">{{MSG}}</a></li>{{/ERROR}}</ul>
</div>{{/HAS_ERRORS}}
<form method="post" action="{{ACTION}}" class="card form" id="rule-form" novalidate>
  <input type="hidden" name="_csrf" value="{{CSRF}}">
  <fieldset {{#READ_ONLY}}disabled{{/READ_ONLY}} class="form">
  <legend class="sr-only">The rule</legend>
  {{#SYSTEM_CHECK}}<p class="meta" id="system-check">One of goldwatch's own checks: its name, cause and threshold are built in. Who is told, its severity, escalation and whether it is on are yours to set.</p>{{/SYSTEM_CHECK}}
  <div class="field">
    <label for="name">Name</label>
    <input id="name" name="name"{{#FIXED}} disabled{{/FIXED}} type="text" maxlength="200" required value="{{NAME}}" aria-invalid="{{INVALID_NAME}}" aria-describedby="err-name">
    <p class="field-error" id="err-name">{{#ERR_NAME}}{{MSG}}{{/ERR_NAME}}</p>
  </div>
  <div class="field">
    <label for="description">Description</label>
    <textarea id="description" name="description" maxlength="2000" aria-invalid="{{INVALID_DESCRIPTION}}" aria-describedby="err-description">
{{DESCRIPTION:pre_escape}}</textarea>
    <p class="field-error" id="err-description">{{#ERR_DESCRIPTION}}{{MSG}}{{/ERR_DESCRIPTION}}</p>
  </div>
  <div class="form-grid">
    <div class="field">
      <label for="kpi">KPI</label>
      <select id="kpi" name="kpi"{{#FIXED}} disabled{{/FIXED}} aria-invalid="{{INVALID_KPI}}" aria-describedby="err-kpi">
        <option value="">choose a KPI</option>
        {{#KPI_OPT}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{LABEL}}</option>{{/KPI_OPT}}
      </select>
      <p class="field-error" id="err-kpi">{{#ERR_KPI}}{{MSG}}{{/ERR_KPI}}</p>
    </div>
    <div class="field">
      <label for="condition">Condition</label>
      <select id="condition" name="condition"{{#FIXED}} disabled{{/FIXED}} aria-invalid="{{INVALID_CONDITION}}" aria-describedby="err-condition">
        {{#COND_OPT}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{LABEL}}</option>{{/COND_OPT}}
      </select>
      <p class="field-error" id="err-condition">{{#ERR_CONDITION}}{{MSG}}{{/ERR_CONDITION}}</p>
    </div>
    <div class="field">
      <label for="threshold">Threshold</label>
      <span class="input-unit threshold-line"><span id="threshold-words" class="threshold-words">{{THRESHOLD_WORDS}}</span>
        <input id="threshold" name="threshold"{{#FIXED}} disabled{{/FIXED}} type="text" inputmode="decimal" value="{{THRESHOLD}}" aria-invalid="{{INVALID_THRESHOLD}}" aria-describedby="threshold-words threshold-unit err-threshold hint-threshold">
        <span id="threshold-unit" class="unit">{{THRESHOLD_UNIT}}</span></span>
      <span class="hint" id="hint-threshold">In the unit shown; for a fall, how far it falls (3 for 3 %, the sign is the condition's); not used by no data. Like 5,000, 1,250.50, 0.5 or 3%.</span>
      <p class="field-error" id="err-threshold">{{#ERR_THRESHOLD}}{{MSG}}{{/ERR_THRESHOLD}}</p>
    </div>
    <div class="field">
      <label for="severity">Severity</label>
      <select id="severity" name="severity" aria-invalid="{{INVALID_SEVERITY}}" aria-describedby="err-severity">
        {{#SEV_OPT}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{V}}</option>{{/SEV_OPT}}
      </select>
      <p class="field-error" id="err-severity">{{#ERR_SEVERITY}}{{MSG}}{{/ERR_SEVERITY}}</p>
    </div>
    <div class="field">
      <label for="active_hours">Evaluate</label>
      <select id="active_hours" name="active_hours" aria-invalid="{{INVALID_ACTIVE_HOURS}}" aria-describedby="err-active_hours">
        {{#HOURS_OPT}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{LABEL}}</option>{{/HOURS_OPT}}
      </select>
      <span class="hint">Opening hours and closed days: <a href="/calendar">the shop's calendar</a>.</span>
      <p class="field-error" id="err-active_hours">{{#ERR_ACTIVE_HOURS}}{{MSG}}{{/ERR_ACTIVE_HOURS}}</p>
    </div>
    <div class="field" data-conditions="pct_change_gt pct_change_lt pct_change_abs_gt no_data">
      <label for="window_minutes">Window: compare with the value this long ago (no data: how long without a fresh value)</label>
      <span class="input-unit">
        <input id="window_minutes" name="window_minutes"{{#FIXED}} disabled{{/FIXED}} type="text" inputmode="numeric" value="{{WINDOW_MINUTES}}" aria-invalid="{{INVALID_WINDOW_MINUTES}}" aria-describedby="err-window_minutes hint-window_minutes">
        <select id="window_unit" name="window_unit"{{#FIXED}} disabled{{/FIXED}} aria-label="Unit of the window">
          {{#UNIT_OPT}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{LABEL}}</option>{{/UNIT_OPT}}
        </select>
      </span>
      <span class="hint" id="hint-window_minutes">Percent-change and no-data conditions only; at most 30 days.</span>
      <p class="field-error" id="err-window_minutes">{{#ERR_WINDOW_MINUTES}}{{MSG}}{{/ERR_WINDOW_MINUTES}}</p>
    </div>
    <div class="field" data-conditions="seasonal_pct_lt seasonal_pct_gt seasonal_zscore_gt">
      <label for="window_weeks">Weeks the usual for this time of the week is taken over</label>
      <input id="window_weeks" name="window_weeks"{{#FIXED}} disabled{{/FIXED}} type="text" inputmode="numeric" value="{{WINDOW_WEEKS}}" aria-invalid="{{INVALID_WINDOW_WEEKS}}" aria-describedby="err-window_weeks hint-window_weeks">
      <span class="hint" id="hint-window_weeks">Seasonal conditions only: 1 to 12, empty for 4. The same weekday and time of day in the shop's zone.</span>
      <p class="field-error" id="err-window_weeks">{{#ERR_WINDOW_WEEKS}}{{MSG}}{{/ERR_WINDOW_WEEKS}}</p>
    </div>
    <div class="field" data-conditions="zscore_gt">
      <label for="window_samples">Samples the mean is taken over</label>
      <input id="window_samples" name="window_samples"{{#FIXED}} disabled{{/FIXED}} type="text" inputmode="numeric" value="{{WINDOW_SAMPLES}}" aria-invalid="{{INVALID_WINDOW_SAMPLES}}" aria-describedby="err-window_samples">
      <span class="hint">z-score only.</span>
      <p class="field-error" id="err-window_samples">{{#ERR_WINDOW_SAMPLES}}{{MSG}}{{/ERR_WINDOW_SAMPLES}}</p>
    </div>
    <div class="field">
      <label for="for_evaluations">Breaches in a row before it fires</label>
      <input id="for_evaluations" name="for_evaluations" type="text" inputmode="numeric" value="{{FOR_EVALUATIONS}}" aria-invalid="{{INVALID_FOR_EVALUATIONS}}" aria-describedby="err-for_evaluations">
      <p class="field-error" id="err-for_evaluations">{{#ERR_FOR_EVALUATIONS}}{{MSG}}{{/ERR_FOR_EVALUATIONS}}</p>
    </div>
    <div class="field">
      <label for="cooldown_minutes">Quiet minutes after it fired</label>
      <input id="cooldown_minutes" name="cooldown_minutes" type="text" inputmode="numeric" value="{{COOLDOWN_MINUTES}}" aria-invalid="{{INVALID_COOLDOWN_MINUTES}}" aria-describedby="err-cooldown_minutes">
      <p class="field-error" id="err-cooldown_minutes">{{#ERR_COOLDOWN_MINUTES}}{{MSG}}{{/ERR_COOLDOWN_MINUTES}}</p>
    </div>
    <div class="field" data-conditions="gt gte lt lte pct_change_gt pct_change_lt zscore_gt">
      <label for="recovery_threshold">Resolve only past this value</label>
      <input id="recovery_threshold" name="recovery_threshold" type="text" inputmode="decimal" value="{{RECOVERY_THRESHOLD}}" aria-invalid="{{INVALID_RECOVERY_THRESHOLD}}" aria-describedby="err-recovery_threshold hint-recovery_threshold">
      <span class="hint" id="hint-recovery_threshold">Optional: fire below 5, resolve only above 6. Empty: resolves when the condition is false.</span>
      <p class="field-error" id="err-recovery_threshold">{{#ERR_RECOVERY_THRESHOLD}}{{MSG}}{{/ERR_RECOVERY_THRESHOLD}}</p>
    </div>
    <div class="field">
      <label for="keep_firing_minutes">Keep firing for minutes after it cleared</label>
      <input id="keep_firing_minutes" name="keep_firing_minutes" type="text" inputmode="numeric" value="{{KEEP_FIRING_MINUTES}}" aria-invalid="{{INVALID_KEEP_FIRING_MINUTES}}" aria-describedby="err-keep_firing_minutes">
      <p class="field-error" id="err-keep_firing_minutes">{{#ERR_KEEP_FIRING_MINUTES}}{{MSG}}{{/ERR_KEEP_FIRING_MINUTES}}</p>
    </div>
    <div class="field">
      <label for="flap_changes">Flapping after this many changes</label>
      <input id="flap_changes" name="flap_changes" type="text" inputmode="numeric" value="{{FLAP_CHANGES}}" aria-invalid="{{INVALID_FLAP_CHANGES}}" aria-describedby="err-flap_changes">
      <p class="field-error" id="err-flap_changes">{{#ERR_FLAP_CHANGES}}{{MSG}}{{/ERR_FLAP_CHANGES}}</p>
    </div>
    <div class="field">
      <label for="flap_window_minutes">Flapping: the changes counted within minutes</label>
      <input id="flap_window_minutes" name="flap_window_minutes" type="text" inputmode="numeric" value="{{FLAP_WINDOW_MINUTES}}" aria-invalid="{{INVALID_FLAP_WINDOW_MINUTES}}" aria-describedby="err-flap_window_minutes">
      <p class="field-error" id="err-flap_window_minutes">{{#ERR_FLAP_WINDOW_MINUTES}}{{MSG}}{{/ERR_FLAP_WINDOW_MINUTES}}</p>
    </div>
  </div>
  <div class="field">
    <label for="recipients">Mail these addresses</label>
    <textarea id="recipients" name="recipients" aria-invalid="{{INVALID_RECIPIENTS}}" aria-describedby="err-recipients hint-recipients">
{{RECIPIENTS:pre_escape}}</textarea>
    <span class="hint" id="hint-recipients">One address per line (at most 50); a comma or semicolon in a line is an error, not a second address.</span>
    <p class="field-error" id="err-recipients">{{#ERR_RECIPIENTS}}{{MSG}}{{/ERR_RECIPIENTS}}</p>
  </div>
  <div class="form-grid">
    <div class="field">
      <label for="escalation_after_minutes">Escalate after minutes unacknowledged</label>
      <input id="escalation_after_minutes" name="escalation_after_minutes" type="text" inputmode="numeric" value="{{ESCALATION_AFTER_MINUTES}}" aria-invalid="{{INVALID_ESCALATION_AFTER_MINUTES}}" aria-describedby="err-escalation_after_minutes">
      <span class="hint">Empty: no escalation.</span>
      <p class="field-error" id="err-escalation_after_minutes">{{#ERR_ESCALATION_AFTER_MINUTES}}{{MSG}}{{/ERR_ESCALATION_AFTER_MINUTES}}</p>
    </div>
    <div class="field">
      <label for="escalation_recipients">Escalate to</label>
      <textarea id="escalation_recipients" name="escalation_recipients" aria-invalid="{{INVALID_ESCALATION_RECIPIENTS}}" aria-describedby="err-escalation_recipients hint-escalation_recipients">
{{ESCALATION_RECIPIENTS:pre_escape}}</textarea>
      <span class="hint" id="hint-escalation_recipients">One address per line, as above.</span>
      <p class="field-error" id="err-escalation_recipients">{{#ERR_ESCALATION_RECIPIENTS}}{{MSG}}{{/ERR_ESCALATION_RECIPIENTS}}</p>
    </div>
  </div>
  <fieldset class="field" id="contact_points" aria-describedby="err-contact_points">
    <legend>Also tell these contact points</legend>
    {{#CP_OPT}}<label class="check"><input type="checkbox" name="cp_{{ID}}" value="1" {{#CHECKED}}checked{{/CHECKED}}> {{NAME}} ({{KIND}})</label>
    {{/CP_OPT}}<p class="field-error" id="err-contact_points">{{#ERR_CONTACT_POINTS}}{{MSG}}{{/ERR_CONTACT_POINTS}}</p>
  </fieldset>
  <div class="field">
    <label for="escalation_policy_id">Escalation policy</label>
    <select id="escalation_policy_id" name="escalation_policy_id" aria-invalid="{{INVALID_ESCALATION_POLICY_ID}}" aria-describedby="err-escalation_policy_id">
      {{#EP_OPT}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{LABEL}}</option>{{/EP_OPT}}
    </select>
    <span class="hint">Or escalate by the minutes and addresses above (then leave this at none).</span>
    <p class="field-error" id="err-escalation_policy_id">{{#ERR_ESCALATION_POLICY_ID}}{{MSG}}{{/ERR_ESCALATION_POLICY_ID}}</p>
  </div>
  <label class="check"><input type="checkbox" name="notify_resolved" value="1" {{#NOTIFY_RESOLVED}}checked{{/NOTIFY_RESOLVED}}> Mail when it resolves</label>
  <label class="check"><input type="checkbox" name="enabled" value="1" {{#ENABLED}}checked{{/ENABLED}}> Enabled</label>
  </fieldset>
  {{#CAN_ADMIN}}<div class="actions"><button type="submit" class="primary">{{SUBMIT}}</button> <a href="/rules">Cancel</a></div>{{/CAN_ADMIN}}
  <section class="preview" id="rule-preview" aria-labelledby="preview-title">
    <h2 id="preview-title">Preview: what this rule would have fired</h2>
    <div class="preview-controls">
      <label for="preview_days">Over the last</label>
      <select id="preview_days" name="preview_days">
        {{#PREVIEW_DAYS_OPT}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{V}} days</option>{{/PREVIEW_DAYS_OPT}}
      </select>
      {{#CAN_ADMIN}}<button type="submit" name="_action" value="preview">Preview</button>{{/CAN_ADMIN}}
    </div>
    <div class="preview-result" id="preview-result" aria-live="polite">
    {{#PREVIEW_CHOOSE}}<p class="preview-summary">Choose a KPI to see what the rule would have fired on its stored samples.</p>{{/PREVIEW_CHOOSE}}
    {{#PREVIEW_ERRORS}}<p class="preview-summary">Correct the marked fields to see the preview.</p>{{/PREVIEW_ERRORS}}
    {{#PREVIEW_REFUSED}}<p class="preview-summary">No preview: {{MSG}}</p>{{/PREVIEW_REFUSED}}
    {{#PREVIEW_FAILED}}<p class="preview-summary">The preview could not be computed just now.</p>{{/PREVIEW_FAILED}}
    {{#PREVIEW}}
    <p class="preview-summary" id="preview-summary">Would have fired {{COUNT}} time{{#PLURAL}}s{{/PLURAL}} in {{DAYS}} days ({{SAMPLES}} stored samples).</p>
    <div class="chart-box">{{CHART:none}}</div>
    {{#FIRINGS}}
    <div class="table-wrap"><table class="preview-firings">
      <caption class="sr-only">The alerts the rule would have fired</caption>
      <thead><tr><th scope="col">Fired</th><th scope="col">Value</th><th scope="col">Resolved</th></tr></thead>
      <tbody>
      {{#FIRING}}<tr><td><time datetime="{{AT_ISO}}">{{AT}}</time></td><td>{{VALUE}}</td><td>{{#RESOLVED}}<time datetime="{{AT_ISO}}">{{AT}}</time>{{/RESOLVED}}{{#STILL_OPEN}}still firing{{/STILL_OPEN}}</td></tr>{{/FIRING}}
      </tbody>
    </table></div>
    {{#MORE}}<p class="hint">And {{N}} more.</p>{{/MORE}}
    {{/FIRINGS}}
    {{/PREVIEW}}
    </div>
  </section>
</form>
{{#CAN_ADMIN}}{{#EXISTING}}
<form method="post" action="/rules/{{ID}}/test" class="card" id="rule-test">
  <input type="hidden" name="_csrf" value="{{CSRF}}">
  <p>Mails a test message to the saved rule's addresses now, so you can see it arrives.</p>
  <button type="submit">Send a test notification</button>
</form>
<form method="post" action="/rules/{{ID}}/delete" class="card" data-confirm="Delete this rule? Its open alerts are resolved.">
  <input type="hidden" name="_csrf" value="{{CSRF}}">
  <p>Deleting a rule resolves its open alerts; its history stays.</p>
  <button type="submit" class="danger">Delete rule</button>
</form>
{{/EXISTING}}{{/CAN_ADMIN}}
<script src="/static/js/rule_preview.js" defer></script>
