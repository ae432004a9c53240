{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Notification policies</h1>
  <p class="meta">Which contact points an alert goes to. Policies are tried from the top: the first that matches decides, unless it says to go on matching; the default catches every alert no policy matched. A rule's own contact points are added to these. · <a href="/contact-points">Contact points</a> · <a href="/escalation-policies">Escalation policies</a></p>
</div>
{{#NO_CPS}}<p class="empty">There are no contact points yet: {{#CAN_ADMIN}}<a href="/contact-points">add one</a> first, then choose it here.{{/CAN_ADMIN}}{{#READ_ONLY}}an admin adds them.{{/READ_ONLY}}</p>{{/NO_CPS}}
{{#READ_ONLY}}<p class="meta">Only an admin changes the policies.</p>{{/READ_ONLY}}
<form method="post" action="/notification-policies" class="policies" id="policies-form">
  <input type="hidden" name="_csrf" value="{{CSRF}}">
  <input type="hidden" name="count" value="{{COUNT}}">
  {{#ERR_FORM}}<p class="field-error" role="alert">{{MSG}}</p>{{/ERR_FORM}}
  {{!-- Save first too: in sight on a phone, and the button Enter in a field presses --}}
  {{#CAN_ADMIN}}<div class="actions form-top"><button type="submit" class="primary">Save the policies</button></div>{{/CAN_ADMIN}}
  {{#NO_POLICIES}}<p class="empty" id="no-policies">No policies yet: every alert goes to the default's contact points.</p>{{/NO_POLICIES}}
  {{#READ_ONLY}}<fieldset disabled>{{/READ_ONLY}}
  {{#POLICY}}
  <fieldset class="card policy" id="policy-{{P}}">
    <legend>{{#CAN_MOVE}}Policy {{N}}{{/CAN_MOVE}}{{#IS_DEFAULT}}Default: everything else{{/IS_DEFAULT}}{{#IS_NEW}}Add a policy{{/IS_NEW}}</legend>
    {{#IS_NEW}}<p class="meta">Choose what it matches and where it sends, then save.</p>{{/IS_NEW}}
    {{#ERR_POLICY}}<p class="field-error" role="alert">{{MSG}}</p>{{/ERR_POLICY}}
    {{#HAS_MATCHERS}}
    <div class="form-grid">
      <fieldset class="field">
        <legend>Severity (none ticked: any)</legend>
        <div class="checks">{{#SEV_OPT}}<label class="check"><input type="checkbox" name="{{P}}_severity_{{V}}" value="1" {{#SEL}}checked{{/SEL}}> {{V}}</label>{{/SEV_OPT}}</div>
        <p class="field-error" id="err-{{P}}-severity">{{#ERR_SEVERITY}}{{MSG}}{{/ERR_SEVERITY}}</p>
      </fieldset>
      <fieldset class="field">
        <legend>Category (none ticked: any)</legend>
        <div class="checks">{{#CAT_OPT}}<label class="check"><input type="checkbox" name="{{P}}_category_{{V}}" value="1" {{#SEL}}checked{{/SEL}}> {{V}}</label>{{/CAT_OPT}}</div>
        <p class="field-error" id="err-{{P}}-category">{{#ERR_CATEGORY}}{{MSG}}{{/ERR_CATEGORY}}</p>
      </fieldset>
      <fieldset class="field">
        <legend>KPIs (none ticked: any)</legend>
        <div class="checks">{{#KPI_OPT}}<label class="check"><input type="checkbox" name="{{P}}_kpi_{{V}}" value="1" {{#SEL}}checked{{/SEL}}> {{LABEL}}</label>{{/KPI_OPT}}</div>
        <p class="field-error" id="err-{{P}}-kpi">{{#ERR_KPI}}{{MSG}}{{/ERR_KPI}}</p>
      </fieldset>
      <div class="field">
        <label for="{{P}}-rules">Rule ids (the number in a rule's address, /rules/12; comma-separated; empty: any)</label>
        <input id="{{P}}-rules" name="{{P}}_rules" type="text" inputmode="numeric" value="{{RULE_IDS}}" aria-describedby="err-{{P}}-rule {{P}}-rules-names">
        <p class="meta long-names" id="{{P}}-rules-names">{{#RULE_CHOSEN}}{{LABEL}}; {{/RULE_CHOSEN}}</p>
        <p class="field-error" id="err-{{P}}-rule">{{#ERR_RULES}}{{MSG}}{{/ERR_RULES}}</p>
      </div>
    </div>
    {{/HAS_MATCHERS}}
    <fieldset class="field">
      <legend>Send to</legend>
      <div class="checks">{{#CP_OPT}}<label class="check"><input type="checkbox" name="{{P}}_cp_{{V}}" value="1" {{#SEL}}checked{{/SEL}}> {{LABEL}}</label>{{/CP_OPT}}</div>
      <p class="field-error" id="err-{{P}}-cp">{{#ERR_CP}}{{MSG}}{{/ERR_CP}}</p>
    </fieldset>
    {{#HAS_MATCHERS}}<label class="check"><input type="checkbox" name="{{P}}_continue" value="1" {{#CONTINUE}}checked{{/CONTINUE}}> Go on matching the policies below</label>{{/HAS_MATCHERS}}
    <div class="form-grid">
      <div class="field">
        <label for="{{P}}-wait">Group wait, seconds (empty: 30)</label>
        <input id="{{P}}-wait" name="{{P}}_wait" type="text" inputmode="numeric" maxlength="6" value="{{WAIT}}" aria-describedby="err-{{P}}-wait">
        <p class="field-error" id="err-{{P}}-wait">{{#ERR_WAIT}}{{MSG}}{{/ERR_WAIT}}</p>
      </div>
      <div class="field">
        <label for="{{P}}-repeat">Repeat every, minutes (empty: never)</label>
        <input id="{{P}}-repeat" name="{{P}}_repeat" type="text" inputmode="numeric" maxlength="6" value="{{REPEAT}}" aria-describedby="err-{{P}}-repeat">
        <p class="field-error" id="err-{{P}}-repeat">{{#ERR_REPEAT}}{{MSG}}{{/ERR_REPEAT}}</p>
      </div>
    </div>
    {{#CAN_ADMIN}}{{#CAN_MOVE}}<div class="actions">
      {{#CAN_UP}}<button type="submit" name="op" value="up-{{I}}" class="small">Move up</button>{{/CAN_UP}}
      {{#CAN_DOWN}}<button type="submit" name="op" value="down-{{I}}" class="small">Move down</button>{{/CAN_DOWN}}
      <button type="submit" name="op" value="remove-{{I}}" class="small danger">Remove policy {{N}}</button>
    </div>{{/CAN_MOVE}}{{/CAN_ADMIN}}
  </fieldset>
  {{/POLICY}}
  {{#READ_ONLY}}</fieldset>{{/READ_ONLY}}
  {{#CAN_ADMIN}}<div class="actions"><button type="submit" class="primary">Save the policies</button></div>{{/CAN_ADMIN}}
</form>
