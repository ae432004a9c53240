{{%AUTOESCAPE context="HTML"}}
{{#CHART}}<svg class="chart" viewBox="0 0 {{W}} {{H}}" role="img" aria-label="{{TITLE}}" aria-describedby="chart-svg-desc" xmlns="http://www.w3.org/2000/svg"><title>{{TITLE}}</title><desc id="chart-svg-desc">{{DESC}}</desc>
{{#EMPTY}}<text class="chart-empty" x="{{X}}" y="{{Y}}" text-anchor="middle">No samples in this period</text>{{/EMPTY}}
{{#GRID}}<line class="chart-grid" x1="{{X1}}" x2="{{X2}}" y1="{{Y}}" y2="{{Y}}"/><text class="chart-label" x="{{X}}" y="{{Y}}" text-anchor="end" dominant-baseline="middle">{{LABEL}}</text>{{/GRID}}
{{#UNIT}}<text class="chart-unit" x="4" y="{{Y}}">{{TEXT}}</text>{{/UNIT}}
{{#AXIS}}<line class="chart-axis" x1="{{X1}}" x2="{{X2}}" y1="{{Y}}" y2="{{Y}}"/>{{/AXIS}}
{{#TIME}}<text class="chart-label{{#MINOR}} chart-minor{{/MINOR}}" x="{{X}}" y="{{Y}}" text-anchor="{{ANCHOR}}">{{LABEL}}</text>{{/TIME}}
{{#THRESHOLD}}<line class="chart-threshold" x1="{{X1}}" x2="{{X2}}" y1="{{Y}}" y2="{{Y}}"/><text class="chart-threshold-label" x="{{X}}" y="{{TY}}" text-anchor="start">threshold {{LABEL}}</text>{{/THRESHOLD}}
{{#MARK}}<line class="chart-mark" x1="{{X}}" x2="{{X}}" y1="{{Y1}}" y2="{{Y2}}"/><text class="chart-mark-label" x="{{TX}}" y="{{TY}}" text-anchor="{{ANCHOR}}">{{LABEL}}</text>{{/MARK}}
{{#HISTORY}}<polyline class="chart-line chart-backfill" points="{{POINTS}}"/>{{/HISTORY}}
{{#LINE}}<polyline class="chart-line" points="{{POINTS}}"/>{{/LINE}}
{{#HDOT}}<circle class="chart-dot chart-backfill-dot" cx="{{X}}" cy="{{Y}}" r="2.5"/>{{/HDOT}}
{{#DOT}}<circle class="chart-dot" cx="{{X}}" cy="{{Y}}" r="2.5"/>{{/DOT}}
{{#LEGEND}}<line class="chart-line chart-backfill" x1="{{X1}}" x2="{{X2}}" y1="8" y2="8"/><text class="chart-legend" x="{{X}}" y="8" dominant-baseline="middle">backfilled from the shop's records</text>{{/LEGEND}}
</svg>
{{#DATA}}<details class="chart-data"><summary>Data table</summary>
<div class="table-wrap" tabindex="0" role="region" aria-label="The chart's samples"><table>
<caption class="sr-only">{{TITLE}}{{#THINNED}}: {{EVERY}}{{/THINNED}}</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Value</th></tr></thead>
<tbody>{{#ROW}}<tr><td><time datetime="{{ISO}}">{{WHEN}}</time></td><td>{{VALUE}}{{#BACKFILL}} <span class="tag">backfilled</span>{{/BACKFILL}}</td></tr>{{/ROW}}</tbody>
</table></div>
{{#THINNED}}<p class="meta">Shown: {{EVERY}}.</p>{{/THINNED}}
</details>{{/DATA}}{{/CHART}}
{{#SPARK}}<svg class="sparkline" viewBox="0 0 {{W}} {{H}}" role="img" aria-label="{{LABEL}}" xmlns="http://www.w3.org/2000/svg">{{#LINE}}<polyline class="spark-line" points="{{POINTS}}"/>{{/LINE}}</svg>{{/SPARK}}
