{{%AUTOESCAPE context="HTML"}}
<section class="card login">
  <h1>Sign in</h1>
  {{#ERROR}}<p class="flash flash-error" role="alert" id="login-error">{{ERROR_TEXT}}</p>{{/ERROR}}
  <form method="post" action="/login" class="form">
    <input type="hidden" name="_csrf" value="{{LOGIN_CSRF}}">
    <input type="hidden" name="next" value="{{NEXT}}">
    {{#RESUME}}<p class="flash flash-ok" role="status" id="login-resume">Sign in to finish what you started: it has not been sent yet.</p>
    <input type="hidden" name="resume" value="{{RESUME_PATH}}">
    {{#RESUME_FIELD}}<input type="hidden" name="{{RF_NAME}}" value="{{RF_VALUE}}">
    {{/RESUME_FIELD}}{{/RESUME}}
    <div class="field">
      <label for="username">User name</label>
      <input id="username" name="username" autocomplete="username" required maxlength="64" value="{{USERNAME_VALUE}}" autofocus>
    </div>
    <div class="field">
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
    </div>
    <button type="submit" class="primary">Sign in</button>
  </form>
</section>
