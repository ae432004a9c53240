// tests/browser/10-pages.mjs - the staff pages in a real browser (Debian's
// chromium driven by playwright-core): sign in, a rule through the form
// (with an invalid submit first), an alert appearing live on the dashboard,
// acknowledged from another browser and updating the first, the rule
// form's preview (live, without JavaScript, axe), a hostile rule
// name shown as text everywhere, a viewer without controls and a forged
// POST refused, an open system alert under "goldwatch itself". Screenshots go
// to build/browser/.
//
//   node tests/browser/10-pages.mjs   (GW_TEST_URL, GW_TEST_ADMIN_PASSWORD, GW_TEST_STACK, GW_TEST_BIN set by tests/run.sh)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { base, adminPassword, shots, browser, step, api, admin, newSession, axe, fitsWidth, finish } from './lib.mjs';

const viewerPassword = 'viewer-browser-pw';
await api('POST', '/api/users', admin, { username: 'browser_viewer', password: viewerPassword, role: 'viewer' });
const opPassword = 'operator-browser-pw';
await api('POST', '/api/users', admin, { username: 'browser_operator', password: opPassword, role: 'operator' });
await api('POST', '/api/kpis', admin, { key: 'b_till', name: 'Cash in till', category: 'financial', unit: 'USD' });

const A = await newSession('admin', adminPassword, { notifications: true });

await step('sign in shows the user', async () => {
  assert.equal(await A.page.textContent('[data-testid=current-user]'), 'admin');
  assert.equal(await A.page.title(), 'Dashboard · goldwatch');
});

await step('the dashboard offers the starter rules only when there are no rules', async () => {
  // the shop's rules: the built-in system rules (goldwatch itself) are always there
  const rules = (await api('GET', '/api/alerts/rules', admin)).json.items
    .filter((r) => r.kind !== 'system');
  assert.equal(await A.page.isVisible('#no-rules'), rules.length === 0);
  if (rules.length === 0) {
    assert.equal(await A.page.isVisible('#open-empty'), false, '"Nothing is firing" with no rules');
    assert.equal(await A.page.isVisible('form[action="/rules/load-starter"] button'), true);
    await A.page.screenshot({ path: shots + 'dashboard-no-rules.png', fullPage: true });
  }
});

let ruleId;
await step('create a rule through the form; an invalid submit shows the error at the field', async () => {
  const p = A.page;
  await p.goto(base + '/rules/new');
  await p.fill('#name', 'Till over 5,000');
  await p.selectOption('#kpi', 'b_till');
  await p.selectOption('#condition', 'gt');
  await p.fill('#threshold', 'a lot');
  await p.fill('#recipients', 'owner@shop.example\nnot-an-address');
  await p.click('#rule-form button[type=submit]');
  // the form comes back with the messages next to the fields and the values kept
  await p.waitForSelector('#err-threshold:not(:empty)');
  assert.match(await p.textContent('#err-threshold'), /number/);
  assert.match(await p.textContent('#err-recipients'), /e-mail/);
  assert.equal(await p.getAttribute('#threshold', 'aria-invalid'), 'true');
  assert.equal(await p.inputValue('#name'), 'Till over 5,000');
  assert.equal(await p.inputValue('#threshold'), 'a lot');
  assert.equal(await p.inputValue('#kpi'), 'b_till');
  await p.screenshot({ path: shots + 'rule-form-errors.png', fullPage: true });
  await p.fill('#threshold', '5000');
  await p.fill('#recipients', 'owner@shop.example');
  await p.selectOption('#severity', 'critical');
  await p.click('#rule-form button[type=submit]');
  await p.waitForURL(/\/rules\/\d+$/);
  ruleId = Number(p.url().split('/').pop());
  assert.match(await p.textContent('.flash'), /created/);
  const r = await api('GET', `/api/alerts/rules/${ruleId}`, admin);
  assert.equal(r.json.threshold, 5000);
  assert.equal(r.json.severity, 'critical');
  await p.screenshot({ path: shots + 'rule-form.png', fullPage: true });
});

await step('the rule form previews the rule on the stored samples, and follows the threshold', async () => {
  // three days of an hourly gold price, recorded without evaluation
  await api('POST', '/api/kpis', admin, { key: 'b_gold', name: 'Gold price', category: 'financial', unit: 'USD' });
  const now = Date.now();
  for (let i = 72; i >= 1; i--) {
    const at = new Date(now - i * 3600e3).toISOString();
    const value = Math.round(2000 + 120 * Math.sin(i / 5));
    assert.equal((await api('POST', '/api/kpis/b_gold/samples', admin, { value, at, evaluate: false })).status, 201);
  }
  // axe needs its script in the page: this session only lets it past the CSP
  const S = await newSession('admin', adminPassword, { bypassCSP: true });
  const p = S.page;
  await p.goto(base + '/rules/new');
  assert.match(await p.textContent('#preview-result'), /Choose a KPI/);
  await p.selectOption('#kpi', 'b_gold');
  await p.selectOption('#condition', 'gt');
  await p.fill('#cooldown_minutes', '0');
  await p.fill('#threshold', '2050');
  await p.waitForFunction(() => /Would have fired [1-9]\d* times? in 30 days \(72 stored samples\)/
    .test(document.querySelector('#preview-result').textContent), null, { timeout: 5000 });
  const firings = Number((await p.textContent('#preview-summary')).match(/fired (\d+) time/)[1]);
  assert.equal(await p.locator('#preview-result svg.chart').count(), 1, 'the chart');
  assert.equal(await p.locator('#preview-result svg .chart-threshold').count(), 1, 'the threshold line');
  assert.equal(await p.locator('#preview-result svg .chart-mark').count(), firings, 'a mark per firing');
  assert.equal(await p.locator('#preview-result table.preview-firings tbody tr').count(), firings);
  await p.screenshot({ path: shots + 'rule-preview.png', fullPage: true });
  // above every sample: it would never have fired; the page did not navigate
  await p.fill('#threshold', '5000');
  await p.waitForFunction(() => /Would have fired 0 times in 30 days/
    .test(document.querySelector('#preview-result').textContent), null, { timeout: 5000 });
  assert.equal(await p.locator('#preview-result svg .chart-mark').count(), 0);
  assert.equal(p.url(), base + '/rules/new');
  assert.equal(await p.inputValue('#threshold'), '5000');
  await p.fill('#threshold', '2050');
  await p.waitForFunction((n) => document.querySelector('#preview-result').textContent
    .includes(`Would have fired ${n} time`), firings, { timeout: 5000 });
  await axe(p, 'the rule form with its preview');
  await p.setViewportSize({ width: 390, height: 844 });
  const w = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(w[0] <= w[1], `the form with its preview is ${w[0]} px wide on a ${w[1]} px screen`);
  await p.screenshot({ path: shots + 'rule-preview-phone.png', fullPage: true });
  // no rule was saved by any of it
  const rules = (await api('GET', '/api/alerts/rules?kpi=b_gold', admin)).json.items;
  assert.equal(rules.length, 0);
  await S.context.close();
});

await step('the Preview button works without JavaScript', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const p = await context.newPage();
  await p.goto(base + '/login');
  await p.fill('#username', 'admin');
  await p.fill('#password', adminPassword);
  await Promise.all([p.waitForNavigation(), p.click('form.form button[type=submit]')]);
  await p.goto(base + '/rules/new');
  await p.selectOption('#kpi', 'b_gold');
  await p.fill('#threshold', '2050');
  await p.fill('#cooldown_minutes', '0');
  await Promise.all([p.waitForNavigation(), p.click('button[name=_action][value=preview]')]);
  assert.match(await p.textContent('#preview-summary'), /Would have fired [1-9]\d* times? in 30 days/);
  assert.equal(await p.locator('#preview-result svg.chart').count(), 1);
  assert.equal(await p.inputValue('#threshold'), '2050', 'the form keeps what was typed');
  await context.close();
});

const B = await newSession('browser_operator', opPassword);
let alertId;
await step('an alert appears on the open dashboard within 2 s, without reload', async () => {
  const p = A.page;
  await p.goto(base + '/');
  await p.waitForSelector('#live-status.live-on', { timeout: 5000 });
  const t0 = Date.now();
  // recorded only: what is shown here is the evaluation the API call runs
  assert.equal((await api('POST', '/api/kpis/b_till/samples', admin, { value: 7500, evaluate: false })).status, 201);
  const ev = await api('POST', '/api/alerts/evaluate', admin, { rule_ids: [ruleId] });
  alertId = ev.json.fired[0].id;
  await p.waitForSelector(`#open-alerts tr[data-alert-id="${alertId}"]`, { timeout: 2000 });
  console.log(`       (appeared ${Date.now() - t0} ms after the sample)`);
  const row = p.locator(`#open-alerts tr[data-alert-id="${alertId}"]`);
  assert.match(await row.textContent(), /Till over 5,000/);
  // a live row prints its time as the server prints the others: "26 Nov 2026 17:52"
  const printed = await row.locator('time').first().textContent();
  assert.match(printed, /^\d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}$/, `the live time "${printed}"`);
  await p.waitForFunction(() => document.querySelector('#live-feed li .what').textContent.includes('Till over'));
  // the counters moved and a notification announced the critical alert
  await p.waitForFunction(() => Number(document.querySelector('#count-critical').textContent) >= 1);
  // one notification per burst: it comes when the burst is over (goldwatch.js)
  await p.waitForFunction(() => window.__notes.length > 0, null, { timeout: 6000 }).catch(() => {});
  const notes = await p.evaluate(() => window.__notes);
  assert.ok(notes.some((n) => n.title === 'Critical: Till over 5,000'), 'a browser notification');
  await p.screenshot({ path: shots + 'dashboard.png', fullPage: true });
});

await step('acknowledged from the detail page in another browser; the dashboard follows', async () => {
  const q = B.page;
  await q.goto(base + `/alerts/${alertId}`);
  await q.waitForSelector('#live-status.live-on', { timeout: 5000 });
  await q.fill('#ack-note-input', 'counting the till now');
  await q.click('#ack-form button[type=submit]');
  await q.waitForFunction(() => document.querySelector('#alert-state').textContent === 'acknowledged', null, { timeout: 2000 });
  await A.page.waitForFunction((id) => {
    const s = document.querySelector(`#open-alerts tr[data-alert-id="${id}"] [data-field=state]`);
    return s && s.textContent === 'acknowledged';
  }, alertId, { timeout: 2000 });
  const a = await api('GET', `/api/alerts/${alertId}`, admin);
  assert.equal(a.json.acknowledged_by, 'browser_operator');
  assert.equal(a.json.ack_note, 'counting the till now');
  await q.reload();
  assert.match(await q.textContent('#timeline'), /Acknowledged by browser_operator/);
  await q.screenshot({ path: shots + 'alert-detail.png', fullPage: true });
});

await step('a hostile rule name is text on every page and in the live feed', async () => {
  const evil = '<img src=x onerror=alert(7)>';
  await api('POST', '/api/kpis', admin, { key: 'b_evil', name: 'Evil KPI <b>bold</b>', category: 'customer' });
  const rule = await api('POST', '/api/alerts/rules', admin, { name: evil, kpi: 'b_evil', condition: 'gt', threshold: 1, severity: 'critical', description: evil });
  const p = A.page;
  await p.goto(base + '/');
  await p.waitForSelector('#live-status.live-on', { timeout: 5000 });
  await api('POST', '/api/kpis/b_evil/samples', admin, { value: 5, evaluate: false });
  const ev = await api('POST', '/api/alerts/evaluate', admin, { rule_ids: [rule.json.id] });
  const evilAlert = ev.json.fired[0].id;
  await p.waitForSelector(`#open-alerts tr[data-alert-id="${evilAlert}"]`, { timeout: 2000 });
  for (const path of ['/', '/alerts', `/alerts/${evilAlert}`, '/rules', `/rules/${rule.json.id}`, '/kpis/b_evil']) {
    if (path !== '/') await p.goto(base + path);
    const html = await p.content();
    assert.ok(!html.includes('<img src="x"') && !html.includes('<img src=x'), `no img element on ${path}`);
    assert.equal(await p.locator('img[src=x]').count(), 0, `no img on ${path}`);
    const text = await p.textContent('main');
    assert.ok(text.includes(evil) || path === '/kpis/b_evil', `the name as text on ${path}`);
  }
  await p.goto(base + '/');
  assert.ok((await p.textContent('#live-feed')).includes(evil), 'the feed shows it as text');
});

await step('a viewer sees no acknowledge or edit controls; a forged POST is refused', async () => {
  const V = await newSession('browser_viewer', viewerPassword, { viewport: { width: 390, height: 844 } });
  const p = V.page;
  assert.equal(await p.locator('form.ack-form').count(), 0, 'no acknowledge buttons');
  await p.goto(base + `/alerts/${alertId}`);
  assert.equal(await p.locator('#ack-form').count(), 0);
  await p.goto(base + '/rules');
  assert.equal(await p.locator('a[href="/rules/new"]').count(), 0, 'no New rule');
  assert.equal(await p.locator('form[action$="/enabled"]').count(), 0, 'no enable switch');
  await p.goto(base + `/rules/${ruleId}`);
  assert.equal(await p.locator('#rule-form button[type=submit]').count(), 0, 'no Save');
  assert.ok(await p.locator('#rule-form #name').isDisabled(), 'the fields are read-only (a disabled fieldset)');
  // the same POST the admin's switch makes, with the viewer's own session and CSRF token
  const csrf = await p.getAttribute('meta[name=csrf-token]', 'content');
  const r = await p.request.post(base + `/rules/${ruleId}/enabled`, { form: { _csrf: csrf, enabled: '0' } });
  assert.equal(r.status(), 403);
  const r2 = await p.request.post(base + `/alerts/${alertId}/acknowledge`, { form: { _csrf: csrf } });
  assert.equal(r2.status(), 403);
  assert.equal((await api('GET', `/api/alerts/rules/${ruleId}`, admin)).json.enabled, true);
  // on a phone no page scrolls sideways (wide tables scroll inside their card)
  for (const path of ['/', '/alerts', `/alerts/${alertId}`, '/rules', `/rules/${ruleId}`, '/kpis', '/kpis/b_till', '/silences', '/calendar', '/contact-points']) {
    await p.goto(base + path);
    const w = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(w[0] <= w[1], `${path} is ${w[0]} px wide on a ${w[1]} px screen`);
  }
  await p.goto(base + '/calendar');
  assert.equal(await p.locator('form[action="/calendar"]').count(), 0, 'the calendar is read-only');
  await p.screenshot({ path: shots + 'calendar-phone-viewer.png', fullPage: true });
  await p.goto(base + '/');
  await p.screenshot({ path: shots + 'dashboard-phone-viewer.png', fullPage: true });
  await V.context.close();
});

await step('forms work without JavaScript (post, redirect, flash)', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const p = await context.newPage();
  // a plain form post: the click, then the whole 303 -> GET navigation
  const submit = async (selector, path) => {
    await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), p.click(selector)]);
    assert.equal(p.url(), base + path);
  };
  await p.goto(base + '/login');
  await p.fill('#username', 'browser_operator');
  await p.fill('#password', opPassword);
  await submit('form.form button[type=submit]', '/');
  await p.goto(base + '/silences');
  await p.selectOption('#scope', 'all');
  await p.fill('#reason', 'till count');
  await submit('form.form button[type=submit]', '/silences');
  assert.match(await p.textContent('.flash'), /Silenced/);
  await submit('form[action$="/end"] button', '/silences');
  assert.match(await p.textContent('.flash'), /ended/);
  await context.close();
});

await step('a contact point from its page: only its kind\'s fields, no secret shown back', async () => {
  const p = A.page;
  await p.goto(base + '/contact-points');
  await p.selectOption('#kind', 'telegram');
  assert.ok(await p.locator('fieldset[data-kind="telegram"]').isVisible(), 'the Telegram fields show');
  assert.ok(!(await p.locator('fieldset[data-kind="webhook"]').isVisible()), 'the webhook fields hide');
  await p.fill('#name', 'Owner phone');
  await p.fill('#bot_token', '123456:browser-token-never-shown');
  await p.fill('#chat_id', '-100777');
  await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), p.click('#cp-form button[type=submit]')]);
  assert.match(p.url(), /\/contact-points\/\d+$/);
  assert.match(await p.textContent('.flash'), /Saved/);
  assert.ok(!(await p.content()).includes('browser-token-never-shown'), 'the token is not on the page');
  assert.equal(await p.inputValue('#bot_token'), '');
  await p.screenshot({ path: shots + 'contact-point.png', fullPage: true });
});

await step('the policy pages: a policy and an escalation policy from their forms, axe clean, desktop and phone', async () => {
  const owner = (await api('POST', '/api/contact-points', admin, { name: 'Browser owner', kind: 'email', settings: { addresses: ['owner@shop.example'] } })).json.id;
  const stock = (await api('POST', '/api/contact-points', admin, { name: 'Browser stock', kind: 'email', settings: { addresses: ['stock@shop.example'] } })).json.id;
  const S = await newSession('admin', adminPassword, { bypassCSP: true });
  const p = S.page;
  const save = async (selector) => {
    await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), p.click(selector)]);
  };
  // a policy from the blank one, then a second; the second moved up
  await p.goto(base + '/notification-policies');
  await p.check(`input[name="pnew_severity_critical"]`);
  await p.check(`input[name="pnew_cp_${owner}"]`);
  await p.check(`input[name="pd_cp_${stock}"]`);
  await save('#policies-form button.primary');
  assert.match(await p.textContent('.flash'), /saved/);
  await p.check(`input[name="pnew_category_operational"]`);
  await p.check(`input[name="pnew_cp_${stock}"]`);
  await p.fill('#pnew-repeat', '60');
  await save('#policies-form button.primary');
  await save('button[value="up-1"]');
  const routing = (await api('GET', '/api/notification-policies', admin)).json;
  assert.deepEqual(routing.policies.map((x) => x.contact_points[0]), [stock, owner]);
  assert.equal(routing.policies[0].repeat_minutes, 60);
  await axe(p, 'the notification policies');
  await p.screenshot({ path: shots + 'notification-policies.png', fullPage: true });
  // an escalation policy of two levels
  await p.goto(base + '/escalation-policies/new');
  await p.fill('#name', 'Browser escalation');
  await p.fill('#l0-after', '15');
  await p.check(`input[name="l0_cp_${owner}"]`);
  await save('button[value="add"]');
  await p.fill('#l1-after', '30');
  await p.check(`input[name="l1_cp_${stock}"]`);
  await axe(p, 'the escalation policy form');
  await save('#ep-form button.primary');
  assert.equal(p.url(), base + '/escalation-policies');
  const eps = (await api('GET', '/api/escalation-policies', admin)).json.items;
  const ep = eps.find((x) => x.name === 'Browser escalation');
  assert.deepEqual(ep.levels, [{ after_minutes: 15, contact_points: [owner] }, { after_minutes: 30, contact_points: [stock] }]);
  await axe(p, 'the escalation policies');
  await p.screenshot({ path: shots + 'escalation-policies.png', fullPage: true });
  await p.goto(base + `/escalation-policies/${ep.id}`);
  await axe(p, 'an escalation policy');
  await p.screenshot({ path: shots + 'escalation-policy.png', fullPage: true });
  await p.setViewportSize({ width: 390, height: 844 });
  for (const [path, shot] of [['/notification-policies', 'notification-policies-phone'], ['/escalation-policies', 'escalation-policies-phone'], [`/escalation-policies/${ep.id}`, 'escalation-policy-phone']]) {
    await p.goto(base + path);
    const w = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(w[0] <= w[1], `${path} is ${w[0]} px wide on a ${w[1]} px screen`);
    await axe(p, `${path} on a phone`);
    await p.screenshot({ path: shots + shot + '.png', fullPage: true });
  }
  await S.context.close();
  // left as the other steps found them
  await api('DELETE', `/api/escalation-policies/${ep.id}`, admin);
  await api('PUT', '/api/notification-policies', admin, { policies: [] });
});

await step('API tokens, sessions and the status page from the pages, axe-clean, desktop and phone', async () => {
  // a user name of the longest kind: the form's owner list must not widen the page
  await api('POST', '/api/users', admin, { username: 'browser_' + 'x'.repeat(56), password: viewerPassword, role: 'viewer' });
  const S = await newSession('admin', adminPassword, { bypassCSP: true });
  const p = S.page;
  await p.goto(base + '/');
  await p.click('a[href="/tokens"]');
  assert.equal(p.url(), base + '/tokens');
  await p.fill('#name', 'browser till');
  await p.selectOption('#expires_days', '90');
  await p.click('form[action="/tokens"] button[type=submit]');
  const token = await p.inputValue('#new-token');
  assert.match(token, /^gwt_/, 'the new token is shown once');
  assert.equal((await api('GET', '/api/auth/me', token)).status, 200, 'and works');
  await axe(p, 'the tokens page with a new token');
  await p.screenshot({ path: shots + 'tokens.png', fullPage: true });
  await p.goto(base + '/tokens');
  assert.equal(await p.locator('#new-token').count(), 0, 'never shown again');
  await p.click('form[action$="/revoke"] button[aria-label="Revoke browser till"]');
  assert.match(await p.textContent('.flash'), /revoked/);
  assert.equal((await api('GET', '/api/auth/me', token)).status, 401, 'revoked at once');
  await p.click('a[href="/account"]');
  assert.match(await p.textContent('h1'), /Your account/);
  assert.match(await p.textContent('main'), /this one/);
  await axe(p, 'the account page');
  await p.click('a:text-is("browser_viewer")');
  assert.match(await p.textContent('h1'), /Sessions of browser_viewer/);
  await axe(p, 'a user\'s sessions');
  await p.click('a[href="/status"]');
  assert.match(await p.textContent('h1'), /goldwatch itself/);
  assert.match(await p.textContent('main'), /evaluate/);
  await axe(p, 'the status page');
  await p.setViewportSize({ width: 390, height: 844 });
  for (const path of ['/tokens', '/account', '/status']) {
    await p.goto(base + path);
    if (path === '/status') await axe(p, 'the status page at phone width');
    await p.screenshot({ path: shots + path.slice(1) + '-phone.png', fullPage: true });
    const w = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth,
      // what sticks out, to say where to look when it fails
      Array.from(document.querySelectorAll('body *')).filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${e.className}`).join(' ')]);
    assert.ok(w[0] <= w[1], `${path} is ${w[0]} px wide on a ${w[1]} px screen (${w[2]})`);
  }
  await p.screenshot({ path: shots + 'account-phone.png', fullPage: true });
});

await step('every form field has a label (keyboard and screen readers)', async () => {
  await A.page.goto(base + '/calendar');
  await A.page.screenshot({ path: shots + 'calendar.png', fullPage: true });
  for (const path of ['/rules/new', '/silences', '/alerts', '/calendar', '/contact-points', '/notification-policies', '/escalation-policies/new', '/tokens', '/account']) {
    await A.page.goto(base + path);
    const unlabelled = await A.page.evaluate(() => Array.from(document.querySelectorAll('input, select, textarea'))
      .filter((e) => e.type !== 'hidden' && !e.closest('label') && !(e.id && document.querySelector(`label[for="${e.id}"]`)) && !e.getAttribute('aria-label'))
      .map((e) => e.name));
    assert.deepEqual(unlabelled, [], `unlabelled on ${path}`);
  }
});

// A job of the stack run by hand (GW_TEST_STACK and GW_TEST_BIN from tests/run.sh), with
// the stack's configuration and the system rules' checks on (the stack runs them off).
function job(name, ...args) {
  const env = { ...process.env, GOLDWATCH_SYSTEM_CHECKS: 'true' };
  for (const line of readFileSync(`${process.env.GW_TEST_STACK}/goldwatch.env`, 'utf8').split('\n')) {
    const m = /^([A-Z_]+)="(.*)"$/.exec(line);
    if (m && m[1] !== 'GOLDWATCH_SYSTEM_CHECKS') env[m[1]] = m[2];
  }
  execFileSync(`${process.env.GW_TEST_BIN}/goldwatch-${name}`, args, { env, stdio: 'ignore' });
}
const isoIn = (ms) => new Date(Date.now() + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

await step('an open system alert shows apart under "goldwatch itself", axe clean', async () => {
  const rules = (await api('GET', '/api/alerts/rules', admin)).json.items.filter((r) => r.kind === 'system');
  const stale = rules.find((r) => r.name === 'system.evaluation_stale');
  const put = (r, enabled) => {
    const body = { ...r, enabled };
    for (const k of ['id', 'created_at', 'updated_at', 'status', 'pending_count', 'last_value',
      'last_evaluated_at', 'kind']) delete body[k];
    return api('PUT', `/api/alerts/rules/${r.id}`, admin, body);
  };
  const S = await newSession('admin', adminPassword, { bypassCSP: true });
  const p = S.page;
  // only evaluation_stale: an evaluation now, the delivery service's pass 16 minutes on
  for (const r of rules) assert.equal((await put(r, r === stale)).status, 200);
  try {
    // the dashboard open and live when it fires: it redraws itself with the section
    await p.goto(base + '/');
    await p.waitForSelector('#live-status.live-on', { timeout: 5000 });
    assert.equal(await p.locator('#system-alerts').count(), 0, 'no heading before it fires');
    job('evaluate', '--rule', String(stale.id), `--now=${isoIn(0)}`);
    job('mailer', `--now=${isoIn(16 * 60e3)}`);
    await p.waitForSelector('#system-alerts', { timeout: 10000 });
    assert.equal(await p.textContent('#system-title'), 'goldwatch itself');
    assert.match(await p.textContent('#system-alerts'), /system\.evaluation_stale/);
    assert.match(await p.textContent('#system-alerts'), /no successful evaluation since/);
    await axe(p, 'the dashboard with a system alert');
    await p.screenshot({ path: shots + 'dashboard-system.png', fullPage: true });
    // its form: what the check owns is shown disabled; who is told is the admin's
    await p.goto(`${base}/rules/${stale.id}`);
    assert.match(await p.textContent('#system-check'), /goldwatch's own checks/);
    for (const f of ['#name', '#kpi', '#condition', '#threshold'])
      assert.equal(await p.isDisabled(f), true, `${f} is disabled on a system rule's form`);
    for (const f of ['#severity', '#recipients'])
      assert.equal(await p.isDisabled(f), false, `${f} can be changed on a system rule's form`);
  } finally {
    // resolved (an evaluation at that moment, the next pass), then the real moment again
    job('evaluate', '--rule', String(stale.id), `--now=${isoIn(16 * 60e3)}`);
    job('mailer', `--now=${isoIn(16 * 60e3)}`);
    job('evaluate', '--rule', String(stale.id), `--now=${isoIn(0)}`);
    for (const r of rules) await put(r, r.enabled);
  }
  await p.goto(base + '/');
  assert.equal(await p.locator('#system-alerts').count(), 0, 'no heading once resolved');
  await S.context.close();
});

await finish('pages');
