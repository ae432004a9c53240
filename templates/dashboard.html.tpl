{{%AUTOESCAPE context="HTML"}}
<h1>Dashboard</h1>
<p class="lead">Signed in as <strong>{{USERNAME}}</strong> ({{ROLE}}).</p>
