{{%AUTOESCAPE context="HTML"}}
<div class="page-head long-names">
  <h1>{{#OWN}}Your account{{/OWN}}{{#OTHER}}Sessions of {{WHO}}{{/OTHER}}</h1>
  <p class="meta">Each browser signed in is a session. Ending them signs {{#OWN}}you{{/OWN}}{{#OTHER}}{{WHO}}{{/OTHER}} out everywhere at once, live updates too.</p>
  {{#CAN_END}}<form method="post" action="/users/{{USER_ID}}/sessions/end" class="inline">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    <button type="submit" class="primary">End every session{{#OWN}} (you sign in again){{/OWN}}</button>
  </form>{{/CAN_END}}
</div>
<section class="card" aria-labelledby="sessions-title">
  <h2 id="sessions-title" class="long-names">Sessions of {{WHO}}</h2>
  <div class="table-wrap">
  <table class="rows">
    <thead><tr><th scope="col">Signed in</th><th scope="col">Last seen</th><th scope="col">Ends</th></tr></thead>
    <tbody>
    {{#SESSION}}<tr>
      <td><time datetime="{{CREATED_ISO}}">{{CREATED}}</time>{{#CURRENT}} <span class="state state-active">this one</span>{{/CURRENT}}</td>
      <td data-label="Last seen">{{#SEEN}}<time datetime="{{AT_ISO}}">{{AT}}</time>{{/SEEN}}</td>
      <td data-label="Ends"><time datetime="{{EXPIRES_ISO}}">{{EXPIRES}}</time></td>
    </tr>{{/SESSION}}
    </tbody>
  </table>
  </div>
  {{#NO_SESSIONS}}<p class="empty">No sessions.</p>{{/NO_SESSIONS}}
</section>
{{#CAN_ADMIN}}<section class="card" aria-labelledby="users-title">
  <h2 id="users-title">Every user's sessions</h2>
  <ul class="long-names">
    {{#USER}}<li><a href="/users/{{ID}}/sessions">{{NAME}}</a> <span class="sub">{{ROLE}}</span></li>{{/USER}}
  </ul>
  <p><a href="/tokens">API tokens</a></p>
</section>{{/CAN_ADMIN}}
