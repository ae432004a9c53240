{{%AUTOESCAPE context="HTML"}}
<section class="card resume" aria-labelledby="resume-title">
  <h1 id="resume-title">Finish what you started</h1>
  <p class="flash flash-ok" role="status">You were signed out before this was sent. Nothing was done yet.</p>
  <form method="post" action="{{ACTION}}" class="form" id="resume-form">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    {{#FIELD}}<input type="hidden" name="{{NAME}}" value="{{VALUE}}">
    {{/FIELD}}
    <p id="resume-question">{{QUESTION}}{{#NAMED}} &ldquo;{{NAME}}&rdquo;{{/NAMED}}?</p>
    {{#NOTE}}<div class="field">
      <label for="resume-note">Note</label>
      <textarea id="resume-note" name="{{NAME}}" maxlength="1000">{{VALUE}}</textarea>
    </div>{{/NOTE}}
    <div class="actions"><button type="submit" class="primary">{{BUTTON}}</button>
      <a href="{{BACK}}">Not now</a></div>
  </form>
</section>
