// tests/browser/30-dashboard.mjs - the dashboard, the alerts list and the
// alert page for the counter and the phone: open alerts by severity then
// age with their count and pages (1,000 of them under 150 KB), bulk
// acknowledge with one note (without JavaScript and by keyboard only),
// one browser notification per burst and none for silenced alerts, notes
// and "Last evaluation" live, the banner when the live feed is away or the
// session has ended, the "critical open" card, acknowledge and silence from
// the alert page on a phone, focus after acknowledging in place, and axe
// on each at both sizes. Its fixtures are alerts on the KPI a_kpi, written
// straight into the database (with their events where the page must hear
// them), resolved again at the end.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { base, adminPassword, shots, step, api, admin, newSession, axe, fitsWidth, finish, desktop, phone } from './lib.mjs';

const stack = process.env.GW_TEST_STACK;
const dbUrl = readFileSync(`${stack}/goldwatch.env`, 'utf8').match(/^DATABASE_URL="?([^"\n]*)"?/m)[1];
function sql(q) {
  return execFileSync('psql', [dbUrl, '-qAtX', '-v', 'ON_ERROR_STOP=1', '-c', q], { encoding: 'utf8' }).trim();
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const opPassword = 'a-operator-pw-1';
await api('POST', '/api/users', admin, { username: 'a_operator', password: opPassword, role: 'operator' });
await api('POST', '/api/kpis', admin, { key: 'a_kpi', name: 'A shop figure', category: 'customer' });
const rule = (await api('POST', '/api/alerts/rules', admin, { name: 'A till rule', kpi: 'a_kpi', condition: 'gt',
  threshold: 1e12, severity: 'critical', enabled: false })).json;
assert.ok(rule && rule.id, 'the rule of the alert page');

/*
 * n open alerts on a_kpi, triggered a minute apart going back from now;
 * with events, the pages hear them as the evaluator's would be heard.
 */
function addAlerts(n, { name = 'A alert', severity = 'critical', silenced = false, events = false,
  state = 'firing', ruleId = null, severities = null } = {}) {
  const sev = severities ? `(ARRAY['${severities.join("','")}'])[1 + g % ${severities.length}]` : `'${severity}'`;
  const ack = state === 'acknowledged' ? ", now(), 'admin', 'already on it'" : ', NULL, NULL, NULL';
  const ins = `INSERT INTO alerts (rule_id, rule_name, kpi_key, condition, threshold, value, severity,
      state, message, silenced, triggered_at, acknowledged_at, acknowledged_by, ack_note)
    SELECT ${ruleId || 'NULL'}, '${name} ' || g, 'a_kpi', 'gt', 1, 2, ${sev}, '${state}', 'a test alert',
      ${silenced}, now() - g * interval '1 minute'${ack}
      FROM generate_series(1, ${n}) g RETURNING *`;
  if (!events) return sql(`WITH a AS (${ins}) SELECT id FROM a ORDER BY id`).split('\n').map(Number);
  return sql(`WITH a AS (${ins}), e AS (INSERT INTO events (type, data)
      SELECT 'alert.fired', jsonb_build_object('id', id, 'rule_id', rule_id, 'rule_name', rule_name,
        'kpi', kpi_key, 'condition', condition, 'threshold', threshold, 'value', value,
        'severity', severity, 'state', state, 'message', message, 'silenced', silenced,
        'triggered_at', to_char(triggered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
        'escalation_level', 0, 'kind', 'kpi') FROM a ORDER BY id RETURNING data)
    SELECT (data->>'id')::bigint FROM e ORDER BY 1`).split('\n').map(Number);
}
function resolveAll() {
  sql(`UPDATE alerts SET state = 'resolved', resolved_at = now(), resolve_reason = 'recovered'
    WHERE kpi_key = 'a_kpi' AND state <> 'resolved'`);
}
// a step whose fixtures are resolved again however it ends
function stepClean(name, fn) {
  return step(name, async () => { try { await fn(); } finally { resolveAll(); } });
}
async function live(p) { await p.waitForSelector('#live-status.live-on', { timeout: 5000 }); }

const A = await newSession('a_operator', opPassword, { bypassCSP: true });

await stepClean('1,000 open alerts: by severity then oldest first, counted, every page reached, under 150 KB', async () => {
  addAlerts(1000, { severities: ['info', 'warning', 'critical'] });
  const p = A.page;
  const r = await p.request.get(base + '/');
  const html = await r.text();
  assert.ok(html.length < 150 * 1024, `the dashboard is ${html.length} bytes`);
  await p.goto(base + '/');
  const total = Number(sql(`SELECT count(*) FROM alerts WHERE state IN ('firing', 'acknowledged')
    AND kpi_key <> 'goldwatch_itself'`));
  assert.equal(await p.textContent('#open-count'), `${total} open alerts, showing 1-50`);
  const rows = await p.$$eval('#open-alerts tbody tr', (trs) => trs.map((t) => [t.dataset.severity,
    t.querySelector('time').dateTime]));
  assert.equal(rows.length, 50);
  const rank = { critical: 0, warning: 1, info: 2 };
  for (let i = 1; i < rows.length; i++) {
    const [s0, t0] = rows[i - 1], [s1, t1] = rows[i];
    assert.ok(rank[s0] < rank[s1] || (s0 === s1 && t0 <= t1), `row ${i} is in order: ${rows[i - 1]} before ${rows[i]}`);
  }
  assert.equal(rows[0][0], 'critical');
  await p.screenshot({ path: shots + 'a-dashboard-1000.png' });
  // the next page follows on, the last one ends at the count
  await Promise.all([p.waitForNavigation(), p.click('.pager a[rel=next]')]);
  assert.equal(await p.textContent('#open-count'), `${total} open alerts, showing 51-100`);
  const last = Math.ceil(total / 50);
  await p.goto(base + `/?page=${last}`);
  assert.equal(await p.textContent('#open-count'), `${total} open alerts, showing ${(last - 1) * 50 + 1}-${total}`);
  assert.equal(await p.locator('.pager a[rel=next]').count(), 0);
  const lastRow = await p.$$eval('#open-alerts tbody tr', (trs) => trs[trs.length - 1].dataset.severity);
  assert.equal(lastRow, 'info', 'the least severe come last');
  await p.setViewportSize(phone);
  await p.goto(base + '/');
  await fitsWidth(p, 'the dashboard with 1,000 open alerts on a phone');
  await p.screenshot({ path: shots + 'a-dashboard-1000-phone.png' });
  await p.setViewportSize(desktop);
});

await stepClean('the phone dashboard: the feed first, rows as blocks, no clipped button, not endless', async () => {
  addAlerts(50, { severities: ['critical', 'warning'] });
  const p = A.page;
  await p.setViewportSize(phone);
  await p.goto(base + '/');
  await live(p);
  const feedTop = await p.$eval('#live-feed', (e) => e.getBoundingClientRect().top);
  const tableTop = await p.$eval('#open-alerts', (e) => e.getBoundingClientRect().top);
  assert.ok(feedTop < tableTop, `the live feed (${feedTop}) comes before the rows (${tableTop})`);
  const labelled = await p.$$eval('#open-alerts tbody td.main', (tds) => tds.length);
  assert.equal(labelled, 50);
  assert.equal(await p.$eval('#open-alerts tbody tr', (tr) => getComputedStyle(tr).display), 'block');
  const clipped = await p.$$eval('#open-alerts button', (bs) => bs.filter((b) => b.scrollWidth > b.clientWidth + 1
    || b.getBoundingClientRect().right > window.innerWidth).length);
  assert.equal(clipped, 0, 'no Acknowledge button is clipped');
  const height = await p.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(height < 50 * 220, `the page is ${height} px tall`);
  await fitsWidth(p, 'the phone dashboard');
  await axe(p, 'the phone dashboard with the bulk form');
  await p.screenshot({ path: shots + 'a-dashboard-phone.png', fullPage: true });
  await p.setViewportSize(desktop);
  await p.goto(base + '/');
  await axe(p, 'the dashboard with the bulk form');
  await p.screenshot({ path: shots + 'a-dashboard.png', fullPage: true });
});

await stepClean('bulk acknowledge without JavaScript: ticked rows, one note, one flash, only the firing ones', async () => {
  const firing = addAlerts(7, { name: 'A bulk' });
  const [acked] = addAlerts(1, { name: 'A done', state: 'acknowledged' });
  const S = await newSession('a_operator', opPassword, { javaScriptEnabled: false });
  const p = S.page;
  await p.goto(base + '/alerts?kpi=a_kpi&state=firing');
  for (const id of firing) await p.check(`#pick-${id}`);
  assert.equal(await p.locator(`#pick-${acked}`).count(), 0, 'no box for an acknowledged alert');
  await p.fill('#bulk-note', 'counted them all');
  await Promise.all([p.waitForNavigation(), p.click('#bulk-button')]);
  assert.equal(p.url(), base + '/alerts?state=firing&kpi=a_kpi');
  assert.equal((await p.textContent('.flash')).trim(), '7 alerts acknowledged.');
  const states = sql(`SELECT string_agg(state || ':' || ack_note || ':' || acknowledged_by, ',' ORDER BY id)
    FROM alerts WHERE id IN (${firing.join(',')})`);
  assert.equal(states, Array(7).fill('acknowledged:counted them all:a_operator').join(','));
  assert.equal(Number(sql(`SELECT count(*) FROM events WHERE type = 'alert.acknowledged'
    AND (data->>'id')::bigint IN (${firing.join(',')})`)), 7, 'an event for each, as a single acknowledgement');
  // the form sent again, with the acknowledged one: nothing changes twice
  const csrf = await p.getAttribute('input[name=_csrf]', 'value');
  const form = { _csrf: csrf, note: 'again', back: '/alerts' };
  for (const id of [...firing, acked]) form[`ack_${id}`] = '1';
  const again = await p.request.post(base + '/alerts/acknowledge', { form, maxRedirects: 0 });
  assert.equal(again.status(), 303);
  assert.equal(sql(`SELECT count(*) FROM alerts WHERE ack_note = 'again' AND id IN (${[...firing, acked].join(',')})`), '0');
  // none ticked: said so, nothing changes
  const none = await p.request.post(base + '/alerts/acknowledge', { form: { _csrf: csrf, back: '/alerts' }, maxRedirects: 0 });
  assert.equal(none.status(), 303);
  await S.context.close();
});

await stepClean('bulk acknowledge from the dashboard by keyboard only (Tab, Space, Enter)', async () => {
  const ids = addAlerts(3, { name: 'A keys' });
  const p = A.page;
  await p.goto(base + '/');
  await live(p);
  assert.ok(await p.isVisible('#select-all'), '"Select all" is shown');
  const focusedId = () => p.evaluate(() => document.activeElement.id);
  async function tabTo(pred, key = 'Tab') {
    for (let i = 0; i < 200 && !(await pred(await focusedId())); i++) await p.keyboard.press(key);
    return focusedId();
  }
  await p.locator('body').focus();
  assert.equal(await tabTo((id) => id === 'select-all'), 'select-all', 'Tab reaches "Select all"');
  // Space ticks every firing row shown, Space again clears them (other files' alerts stay as they are)
  await p.keyboard.press('Space');
  assert.ok(await p.$$eval('input[form=bulk-ack]', (cs) => cs.length > 0 && cs.every((c) => c.checked)));
  await p.keyboard.press('Space');
  assert.ok(await p.$$eval('input[form=bulk-ack]', (cs) => cs.every((c) => !c.checked)));
  // this file's three rows, ticked one by one
  const mine = ids.map((id) => `pick-${id}`);
  for (let n = 0; n < mine.length; n++) {
    const at = await tabTo(async (id) => mine.includes(id) && !(await p.isChecked('#' + id)));
    assert.ok(mine.includes(at), `Tab reaches a row's box (${at})`);
    await p.keyboard.press('Space');
  }
  for (const id of ids) assert.ok(await p.isChecked(`#pick-${id}`));
  assert.equal(await tabTo((id) => id === 'bulk-note', 'Shift+Tab'), 'bulk-note');
  await p.keyboard.type('on it, by keyboard');
  await p.keyboard.press('Tab');
  assert.equal(await focusedId(), 'bulk-button');
  await Promise.all([p.waitForNavigation(), p.keyboard.press('Enter')]);
  assert.match(await p.textContent('.flash'), /^\s*3 alerts acknowledged\./);
  assert.equal(sql(`SELECT count(*) FROM alerts WHERE ack_note = 'on it, by keyboard' AND id IN (${ids.join(',')})`), '3');
});

await stepClean('every Acknowledge has its own name; focus moves on after acknowledging in place', async () => {
  const ids = addAlerts(3, { name: 'A focus' });
  const p = A.page;
  await p.goto(base + '/');
  await live(p);
  const names = await p.$$eval('#open-alerts .ack-form button', (bs) => bs.map((b) => b.textContent.replace(/\s+/g, ' ').trim()));
  assert.equal(new Set(names).size, names.length, `distinct names: ${names.join(' | ')}`);
  assert.ok(names.every((n) => n.startsWith('Acknowledge ')), 'the visible word starts each name');
  // the oldest is shown first: acknowledge it, focus goes to the next row's button
  const first = p.locator(`#open-alerts tr[data-alert-id="${ids[2]}"] .ack-form button`);
  await first.focus();
  await p.keyboard.press('Enter');
  await p.waitForFunction((id) => document.querySelector(`#open-alerts tr[data-alert-id="${id}"] [data-field=state]`)
    .textContent === 'acknowledged', ids[2], { timeout: 3000 });
  const focused = await p.evaluate(() => [document.activeElement.tagName, document.activeElement.textContent.trim(),
    document.activeElement.closest('tr') && document.activeElement.closest('tr').dataset.alertId]);
  assert.equal(focused[0], 'BUTTON', `focus is on ${focused}`);
  assert.equal(focused[2], String(ids[1]), 'the next row\'s button');
});

await stepClean('the "critical open" card counts firing critical alerts only, and links to exactly those', async () => {
  addAlerts(2, { name: 'A crit' });
  addAlerts(3, { name: 'A crit acked', state: 'acknowledged' });
  const p = A.page;
  await p.goto(base + '/');
  const shown = Number(await p.textContent('#count-critical'));
  const firingCritical = Number(sql(`SELECT count(*) FROM alerts WHERE state = 'firing' AND severity = 'critical'`));
  assert.equal(shown, firingCritical);
  const href = await p.getAttribute('.counter-critical', 'href');
  assert.equal(href, '/alerts?state=firing&severity=critical');
  assert.equal((await api('GET', '/api/alerts/summary', admin)).json.critical_firing, firingCritical);
});

await stepClean('the alerts list hides "No alerts match." when a live row arrives', async () => {
  const p = A.page;
  await p.goto(base + '/alerts?kpi=a_kpi&state=firing');
  await live(p);
  assert.ok(await p.isVisible('#history-empty'));
  const [id] = addAlerts(1, { name: 'A arrives', events: true });
  await p.waitForSelector(`#history tr[data-alert-id="${id}"]`, { timeout: 3000 });
  assert.equal(await p.isVisible('#history-empty'), false);
  await axe(p, 'the alerts list with a live row');
  // drawn by the server with a firing row: the bulk form and the row's box
  await p.reload();
  assert.ok(await p.isVisible('#bulk-ack') && await p.isVisible(`#pick-${id}`) && await p.isVisible('#select-all'));
  await axe(p, 'the alerts list with the bulk form');
  await p.screenshot({ path: shots + 'a-alerts.png', fullPage: true });
  await p.setViewportSize(phone);
  await fitsWidth(p, 'the alerts list on a phone');
  await axe(p, 'the alerts list on a phone');
  await p.screenshot({ path: shots + 'a-alerts-phone.png', fullPage: true });
  await p.setViewportSize(desktop);
});

await stepClean('an acknowledgement\'s note shows at once on the dashboard and the alert page, and in its timeline', async () => {
  const [id] = addAlerts(1, { name: 'A noted', events: true, ruleId: rule.id });
  const D = A.page;
  await D.goto(base + '/');
  await live(D);
  const S = await newSession('admin', adminPassword, { bypassCSP: true });
  const q = S.page;
  await q.goto(base + `/alerts/${id}`);
  await live(q);
  assert.equal((await api('POST', '/api/alerts/acknowledge', admin, { alert_ids: [id], note: 'weighing the gold' })).status, 200);
  await D.waitForFunction((i) => (document.querySelector(`#open-alerts tr[data-alert-id="${i}"] [data-field=note]`) || {})
    .textContent === 'weighing the gold', id, { timeout: 3000 });
  await q.waitForFunction(() => document.querySelector('#ack-note').textContent === 'weighing the gold', null, { timeout: 3000 });
  assert.ok(await q.isVisible('#ack-note'));
  assert.match(await q.textContent('#timeline'), /weighing the gold/);
  await q.reload();
  assert.match(await q.textContent('#timeline .ev-acknowledged'), /weighing the gold/, 'the timeline keeps the note');
  await S.context.close();
});

await stepClean('"Last evaluation" moves live', async () => {
  const p = A.page;
  await p.goto(base + '/');
  await live(p);
  const before = await p.$eval('#last-eval', (e) => (e.querySelector('time') || {}).dateTime || '');
  await sleep(1100);
  // an evaluation as the scheduler's job makes it: it records its run and samples the KPIs
  sql(`UPDATE job_runs SET started_at = now(), finished_at = now() WHERE job = 'evaluate'`);
  assert.equal((await api('POST', '/api/kpis/a_kpi/samples', admin, { value: 1, evaluate: false })).status, 201);
  await p.waitForFunction((b) => { const t = document.querySelector('#last-eval time'); return t && t.dateTime !== b; },
    before, { timeout: 5000 });
});

await stepClean('one notification for a burst of 220 critical alerts, none for a silenced one', async () => {
  const S = await newSession('a_operator', opPassword, { notifications: true });
  const p = S.page;
  await p.goto(base + '/');
  await live(p);
  addAlerts(220, { name: 'A burst', events: true });
  await p.waitForFunction(() => document.querySelectorAll('#open-alerts tbody tr').length >= 50, null, { timeout: 10000 });
  await sleep(7000);
  let notes = await p.evaluate(() => window.__notes);
  assert.deepEqual(notes.map((n) => n.title), ['220 new critical alerts']);
  resolveAll();
  addAlerts(1, { name: 'A quiet', events: true, silenced: true });
  await sleep(3000);
  notes = await p.evaluate(() => window.__notes);
  assert.equal(notes.length, 1, 'no notification for a silenced alert');
  addAlerts(1, { name: 'A single', events: true });
  await p.waitForFunction(() => window.__notes.length === 2, null, { timeout: 6000 });
  notes = await p.evaluate(() => window.__notes);
  assert.equal(notes[1].title, 'Critical: A single 1');
  await S.context.close();
});

await stepClean('the live feed away for 10 s: a banner, the counters marked stale; back: both gone', async () => {
  const p = A.page;
  await p.goto(base + '/');
  await live(p);
  execFileSync('scripts/stack.sh', ['pusher-stop', stack], { stdio: 'ignore' });
  try {
    await p.waitForSelector('#live-banner', { timeout: 15000 });
    const text = await p.textContent('#live-banner');
    assert.match(text, /^Live updates stopped at \d{2}:\d{2} - the counts and lists below may be out of date\. Reconnecting/);
    assert.equal(await p.getAttribute('#live-banner', 'role'), 'status');
    assert.ok(await p.$eval('#counters', (e) => e.classList.contains('stale')));
    assert.match(await p.textContent('.counter-firing'), /\(stale\)/);
    await axe(p, 'the dashboard with the live banner');
    await p.screenshot({ path: shots + 'a-dashboard-stale.png' });
    await p.setViewportSize(phone);
    await axe(p, 'the phone dashboard with the live banner');
    await p.screenshot({ path: shots + 'a-dashboard-stale-phone.png' });
    await p.setViewportSize(desktop);
  } finally {
    execFileSync('scripts/stack.sh', ['pusher-start', stack], { stdio: 'ignore' });
  }
  await p.waitForSelector('#live-status.live-on', { timeout: 40000 });
  assert.equal(await p.locator('#live-banner').count(), 0);
  assert.equal(await p.$eval('#counters', (e) => e.classList.contains('stale')), false);
});

await stepClean('the session ended elsewhere: "Your session has ended. Sign in again", back to this page', async () => {
  const S = await newSession('a_operator', opPassword);
  const p = S.page;
  await p.goto(base + '/alerts?kpi=a_kpi');
  await live(p);
  const other = await S.context.newPage();
  await other.goto(base + '/');
  await Promise.all([other.waitForURL(/\/login/), other.click('form[action="/logout"] button')]);
  await p.waitForSelector('#live-banner.live-banner-ended', { timeout: 5000 });
  assert.match(await p.textContent('#live-banner'), /^Your session has ended\. Sign in again/);
  assert.equal(await p.getAttribute('#live-banner a', 'href'), '/login?next=%2Falerts%3Fkpi%3Da_kpi');
  await p.screenshot({ path: shots + 'a-session-ended.png' });
  await S.context.close();
});

await stepClean('the alert page on a phone: Acknowledge on the first screen, not clipped; Silence from it', async () => {
  const [id] = addAlerts(1, { name: 'A phone', ruleId: rule.id });
  const p = A.page;
  await p.setViewportSize(phone);
  await p.goto(base + `/alerts/${id}`);
  const box = await p.locator('#ack-form button').boundingBox();
  assert.ok(box && box.y + box.height <= phone.height, `Acknowledge ends at ${box && box.y + box.height} px`);
  assert.ok(await p.$eval('#ack-form button', (b) => b.scrollWidth <= b.clientWidth + 1 && b.textContent === 'Acknowledge'));
  assert.ok(box.x + box.width <= phone.width);
  await fitsWidth(p, 'the alert page on a phone');
  await axe(p, 'the alert page on a phone');
  await p.screenshot({ path: shots + 'a-alert-phone.png', fullPage: true });
  await p.setViewportSize(desktop);
  await axe(p, 'the alert page');
  await p.screenshot({ path: shots + 'a-alert.png', fullPage: true });
  await p.selectOption('#silence-minutes', '60');
  await Promise.all([p.waitForNavigation(), p.click('#silence-form button')]);
  assert.equal(p.url(), base + `/alerts/${id}`);
  assert.match(await p.textContent('.flash'), /Silenced/);
  const s = (await api('GET', '/api/alerts/silences', admin)).json.items.filter((x) => x.rule_id === rule.id && x.status === 'active');
  assert.equal(s.length, 1, 'a silence of this rule');
  assert.equal((await api('DELETE', `/api/alerts/silences/${s[0].id}`, admin)).status < 300, true);
});

resolveAll();
await A.context.close();
await finish('30-dashboard');
