{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  {{#NEW}}<h1>Contact points</h1>
  <p class="meta">Where alerts are sent: e-mail addresses, a webhook, a chat. Rules and notification policies name them.</p>{{/NEW}}
  {{#EDIT}}<h1>{{CP_NAME}}</h1>
  <p class="meta">{{CP_KIND}} · <a href="/contact-points">all contact points</a></p>{{/EDIT}}
  {{#CAN_ADMIN}}<a class="button primary jump" href="#form-title">{{#NEW}}Add a contact point{{/NEW}}{{#EDIT}}Change it{{/EDIT}}</a>{{/CAN_ADMIN}}
</div>
<div class="grid-2">
  {{#NEW}}<section class="card" aria-labelledby="list-title">
    <h2 id="list-title">Contact points</h2>
    <div class="table-wrap">
    <table class="rows">
      <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Sends to</th></tr></thead>
      <tbody>
      {{#CP}}<tr><td><a href="/contact-points/{{ID}}">{{NAME}}</a></td><td data-label="Kind">{{KIND}}</td><td data-label="Sends to">{{TARGET}}</td></tr>{{/CP}}
      </tbody>
    </table>
    </div>
    {{#NO_CP}}<p class="empty">No contact points yet: rules mail their own recipients.</p>{{/NO_CP}}
  </section>{{/NEW}}
  {{#EDIT}}<section class="card" aria-labelledby="what-title">
    <h2 id="what-title">Sends to</h2>
    <p class="wrap" id="cp-target">{{CP_TARGET}}</p>
    {{#READ_ONLY}}<p class="meta">Only an admin changes contact points.</p>{{/READ_ONLY}}
  </section>{{/EDIT}}
  {{#EDIT}}{{#CAN_ADMIN}}<section class="card" aria-labelledby="try-title">
    <h2 id="try-title">Try it</h2>
    <p>A test message goes out now; the answer shows here.</p>
    <form method="post" action="/contact-points/{{CP_ID}}/test" class="inline">
      <input type="hidden" name="_csrf" value="{{CSRF}}">
      <button type="submit" class="primary">Send a test message</button>
    </form>
    <h2 class="spaced">Delete</h2>
    <form method="post" action="/contact-points/{{CP_ID}}/delete" class="inline">
      <input type="hidden" name="_csrf" value="{{CSRF}}">
      <input type="hidden" name="confirm" value="1">
      <button type="submit" class="danger">Delete {{CP_NAME}}</button>
    </form>
  </section>{{/CAN_ADMIN}}{{/EDIT}}
  {{#CAN_ADMIN}}
  <section class="card" aria-labelledby="form-title">
    <h2 id="form-title">{{#NEW}}Add one{{/NEW}}{{#EDIT}}Change{{/EDIT}}</h2>
    <form method="post" action="{{ACTION}}" class="form" id="cp-form">
      <input type="hidden" name="_csrf" value="{{CSRF}}">
      {{#ERR_FORM}}<p class="field-error" role="alert">{{MSG}}</p>{{/ERR_FORM}}
      <div class="field">
        <label for="name">Name</label>
        <input id="name" name="name" type="text" maxlength="100" required value="{{NAME_VALUE}}" aria-describedby="err-name">
        <p class="field-error" id="err-name">{{#ERR_NAME}}{{MSG}}{{/ERR_NAME}}</p>
      </div>
      <div class="field">
        <label for="kind">Kind</label>
        <select id="kind" name="kind" aria-describedby="err-kind">
          {{#KIND_OPT}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{LABEL}}</option>{{/KIND_OPT}}
        </select>
        <p class="field-error" id="err-kind">{{#ERR_KIND}}{{MSG}}{{/ERR_KIND}}</p>
      </div>
      <fieldset class="field" data-kind="email">
        <legend>E-mail</legend>
        <label for="addresses">Addresses, one a line</label>
        <textarea id="addresses" name="addresses" aria-describedby="err-addresses">
{{ADDRESSES_TEXT:pre_escape}}</textarea>
        <p class="field-error" id="err-addresses">{{#ERR_ADDRESSES}}{{MSG}}{{/ERR_ADDRESSES}}</p>
      </fieldset>
      <fieldset class="field" data-kind="webhook">
        <legend>Webhook</legend>
        <label for="url">URL (http or https)</label>
        <input id="url" name="url" type="url" maxlength="2048" value="{{URL_VALUE}}" aria-describedby="err-url">
        <p class="field-error" id="err-url">{{#ERR_URL}}{{MSG}}{{/ERR_URL}}</p>
        <label for="method">Method</label>
        <select id="method" name="method" aria-describedby="err-method">
          {{#METHOD_OPT}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{V}}</option>{{/METHOD_OPT}}
        </select>
        <p class="field-error" id="err-method">{{#ERR_METHOD}}{{MSG}}{{/ERR_METHOD}}</p>
        <label for="format">Payload</label>
        <select id="format" name="format" aria-describedby="err-format">
          {{#FORMAT_OPT}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{LABEL}}</option>{{/FORMAT_OPT}}
        </select>
        <p class="field-error" id="err-format">{{#ERR_FORMAT}}{{MSG}}{{/ERR_FORMAT}}</p>
        <label for="headers">Headers, "Name: value" a line</label>
        <textarea id="headers" name="headers" aria-describedby="err-headers">
{{HEADERS_TEXT:pre_escape}}</textarea>
        <label for="secret_headers">Secret headers (never shown again; a name with no value keeps the stored one)</label>
        <textarea id="secret_headers" name="secret_headers" aria-describedby="err-headers">
{{SECRET_HEADERS_TEXT:pre_escape}}</textarea>
        <p class="field-error" id="err-headers">{{#ERR_HEADERS}}{{MSG}}{{/ERR_HEADERS}}</p>
        <label for="secret">Signing secret{{#SECRET_SET}} (one is set: leave empty to keep it){{/SECRET_SET}}</label>
        <input id="secret" name="secret" type="password" autocomplete="new-password" maxlength="512" aria-describedby="err-secret">
        {{#SECRET_SET}}<label class="check"><input type="checkbox" name="clear_secret" value="1"> Remove the secret (stop signing)</label>{{/SECRET_SET}}
        <p class="field-error" id="err-secret">{{#ERR_SECRET}}{{MSG}}{{/ERR_SECRET}}</p>
      </fieldset>
      <fieldset class="field" data-kind="slack">
        <legend>Slack-compatible chat</legend>
        <label for="slack_url">Incoming-webhook URL{{#SLACK_URL_SET}} (set: {{HINT}}; leave empty to keep it){{/SLACK_URL_SET}}</label>
        <input id="slack_url" name="slack_url" type="password" autocomplete="off" maxlength="2048" aria-describedby="err-slack_url">
        <p class="field-error" id="err-slack_url">{{#ERR_SLACK_URL}}{{MSG}}{{/ERR_SLACK_URL}}</p>
      </fieldset>
      <fieldset class="field" data-kind="telegram">
        <legend>Telegram</legend>
        <label for="bot_token">Bot token{{#BOT_TOKEN_SET}} (set: leave empty to keep it){{/BOT_TOKEN_SET}}</label>
        <input id="bot_token" name="bot_token" type="password" autocomplete="off" maxlength="128" aria-describedby="err-bot_token">
        <p class="field-error" id="err-bot_token">{{#ERR_BOT_TOKEN}}{{MSG}}{{/ERR_BOT_TOKEN}}</p>
        <label for="chat_id">Chat id or @channel</label>
        <input id="chat_id" name="chat_id" type="text" maxlength="64" value="{{CHAT_ID_VALUE}}" aria-describedby="err-chat_id">
        <p class="field-error" id="err-chat_id">{{#ERR_CHAT_ID}}{{MSG}}{{/ERR_CHAT_ID}}</p>
        <label for="api_base">API address</label>
        <input id="api_base" name="api_base" type="url" maxlength="2048" value="{{API_BASE_VALUE}}" aria-describedby="err-api_base">
        <p class="field-error" id="err-api_base">{{#ERR_API_BASE}}{{MSG}}{{/ERR_API_BASE}}</p>
      </fieldset>
      <div class="actions"><button type="submit" class="primary">Save</button></div>
    </form>
  </section>
  {{/CAN_ADMIN}}
</div>
