{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>goldwatch itself</h1>
  <p class="meta">Its jobs' last runs, what is waiting to be delivered, the live-updates pushers and the database, as <code>GET /api/status</code> shows them. <code>goldwatch-admin doctor</code> checks the same and more from the server.</p>
</div>
<section class="card" aria-labelledby="jobs-title">
  <h2 id="jobs-title">Jobs</h2>
  <div class="table-wrap">
  <table class="rows">
    <thead><tr><th scope="col">Job</th><th scope="col">State</th><th scope="col">Last run</th><th scope="col" class="hide-narrow">Took</th><th scope="col" class="hide-narrow">Error</th></tr></thead>
    <tbody>
    {{#JOB}}<tr>
      <td>{{NAME}}<span class="sub">{{SCHEDULE}}</span></td>
      <td data-label="State"><span class="state {{CLASS}}">{{STATE}}</span></td>
      <td data-label="Last run">{{#RAN}}<time datetime="{{AT_ISO}}">{{AT}}</time>{{/RAN}}{{#NEVER}}never{{/NEVER}}</td>
      <td class="hide-narrow" data-label="Took">{{TOOK}}</td>
      <td class="hide-narrow" data-label="Error">{{ERROR}}</td>
    </tr>{{/JOB}}
    </tbody>
  </table>
  </div>
</section>
<div class="grid-2">
  <section class="card" aria-labelledby="deliveries-title">
    <h2 id="deliveries-title">Deliveries</h2>
    <div class="table-wrap">
    <table class="rows">
      <thead><tr><th scope="col">Where</th><th scope="col">Due</th><th scope="col" class="hide-narrow">Queued</th><th scope="col">Oldest due</th><th scope="col">Dead, last hour</th></tr></thead>
      <tbody>
      {{#BACKLOG}}<tr>
        <td>{{NAME}}<span class="sub">{{KIND}}</span></td>
        <td data-label="Due">{{DUE}}</td>
        <td class="hide-narrow" data-label="Queued">{{QUEUED}}</td>
        <td data-label="Oldest due">{{OLDEST}}</td>
        <td data-label="Dead, last hour">{{DEAD}}</td>
      </tr>{{/BACKLOG}}
      </tbody>
    </table>
    </div>
  </section>
  <section class="card" aria-labelledby="pusher-title">
    <h2 id="pusher-title">Live updates</h2>
    <div class="table-wrap">
    <table class="rows">
      <thead><tr><th scope="col">Pusher</th><th scope="col">State</th><th scope="col">Clients</th><th scope="col" class="hide-narrow">Behind</th><th scope="col">Last beat</th></tr></thead>
      <tbody>
      {{#PUSHER}}<tr>
        <td>{{INSTANCE}}</td>
        <td data-label="State"><span class="state {{CLASS}}">{{STATE}}</span></td>
        <td data-label="Clients">{{CLIENTS}}</td>
        <td class="hide-narrow" data-label="Behind">{{LAG}} events</td>
        <td data-label="Last beat">{{SINCE}} s ago</td>
      </tr>{{/PUSHER}}
      </tbody>
    </table>
    </div>
    {{#NO_PUSHER}}<p class="empty">No pusher has ever reported.</p>{{/NO_PUSHER}}
  </section>
</div>
<section class="card" aria-labelledby="db-title">
  <h2 id="db-title">Database</h2>
  <p>A round trip took {{LATENCY}} ms. Schema version {{SCHEMA}}{{#PENDING}}; {{N}} migration(s) of this install not applied yet: run <code>goldwatch-admin migrate</code>{{/PENDING}}.</p>
</section>
