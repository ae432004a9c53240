{{%AUTOESCAPE context="HTML"}}
<section class="card">
  <h1>{{STATUS}} · {{STATUS_TEXT}}</h1>
  <p>{{MESSAGE}}</p>
  <p><a href="/">Back to the dashboard</a></p>
</section>
