{{%AUTOESCAPE context="HTML"}}
<section class="card login">
  <h1>Sign in</h1>
  {{#ERROR}}<p class="flash flash-error" role="alert" id="login-error">{{ERROR_TEXT}}</p>{{/ERROR}}
  <form method="post" action="/login" class="form">
    <input type="hidden" name="_csrf" value="{{LOGIN_CSRF}}">
    <input type="hidden" name="next" value="{{NEXT}}">
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
