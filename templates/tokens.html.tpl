{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>API tokens</h1>
  <p class="meta">Other systems (a till, a price feed) sign in with a token. It acts with its owner's role; revoking it stops it at once, live connections too.</p>
  <a class="button primary jump" href="#new-title">New token</a>
</div>
{{#CREATED}}<section class="card" aria-labelledby="created-title">
  <h2 id="created-title">Token “{{NAME}}” made</h2>
  <p>Copy it now: it is shown only this once, and goldwatch keeps only a fingerprint of it.</p>
  <p><label for="new-token">Token</label> <input id="new-token" type="text" readonly value="{{TOKEN}}" size="50"></p>
</section>{{/CREATED}}
<div class="grid-2">
  <section class="card" aria-labelledby="tokens-title">
    <h2 id="tokens-title">Tokens</h2>
    <div class="table-wrap">
    <table class="rows">
      <thead><tr><th scope="col">Name</th><th scope="col">Owner</th><th scope="col" class="hide-narrow">Made</th><th scope="col" class="hide-narrow">Last used</th><th scope="col">Expires</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>
      {{#TOKEN}}<tr>
        <td>{{NAME}} <span class="state state-{{STATE}}">{{STATE}}</span></td>
        <td data-label="Owner"><a href="/users/{{OWNER_ID}}/sessions">{{OWNER}}</a><span class="sub">{{ROLE}}</span></td>
        <td class="hide-narrow" data-label="Made"><time datetime="{{CREATED_ISO}}">{{CREATED}}</time></td>
        <td class="hide-narrow" data-label="Last used">{{#USED}}<time datetime="{{AT_ISO}}">{{AT}}</time>{{/USED}}{{#NEVER_USED}}never{{/NEVER_USED}}</td>
        <td data-label="Expires">{{#EXPIRES}}<time datetime="{{AT_ISO}}">{{AT}}</time>{{/EXPIRES}}{{#NO_EXPIRY}}never{{/NO_EXPIRY}}</td>
        <td>{{#REVOCABLE}}<form method="post" action="/tokens/{{ID}}/revoke" class="inline">
          <input type="hidden" name="_csrf" value="{{CSRF}}">
          <button type="submit" class="small" aria-label="Revoke {{NAME}}">Revoke</button>
        </form>{{/REVOCABLE}}</td>
      </tr>{{/TOKEN}}
      </tbody>
    </table>
    </div>
    {{#NO_TOKENS}}<p class="empty">No tokens yet.</p>{{/NO_TOKENS}}
  </section>
  <section class="card" aria-labelledby="new-title">
    <h2 id="new-title">New token</h2>
    <form method="post" action="/tokens" class="form">
      <input type="hidden" name="_csrf" value="{{CSRF}}">
      <div class="field">
        <label for="name">Name</label>
        <input id="name" name="name" type="text" maxlength="200" required value="{{NAME_VALUE}}" aria-describedby="err-name">
        <p class="field-error" id="err-name">{{#ERR_NAME}}{{MSG}}{{/ERR_NAME}}</p>
      </div>
      <div class="field">
        <label for="user_id">Acts as</label>
        <select id="user_id" name="user_id" aria-describedby="err-owner">
          {{#OWNER_OPT}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{LABEL}}</option>{{/OWNER_OPT}}
        </select>
        <p class="field-error" id="err-owner">{{#ERR_OWNER}}{{MSG}}{{/ERR_OWNER}}</p>
      </div>
      <div class="field">
        <label for="expires_days">Expires</label>
        <select id="expires_days" name="expires_days">
          {{#LIFETIME}}<option value="{{V}}" {{#SEL}}selected{{/SEL}}>{{LABEL}}</option>{{/LIFETIME}}
        </select>
      </div>
      <div class="actions"><button type="submit" class="primary">Make token</button></div>
    </form>
  </section>
</div>
