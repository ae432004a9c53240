// tests/browser/20-forms.mjs - the forms speak their labels' words and the
// rules list finds a rule among many: every page form's messages name the
// field as its label does (one message a field, the summary's count
// right, the wrong address named), numbers typed as people type them
// ("5,000", "3%"), the percent-change threshold as a sentence with its
// unit, "Add one." on a KPI page choosing that KPI, focus on the error
// summary and a rule made by keyboard alone; the rules list with 225
// rules: search, filters and pages with counts, toggles whose names match
// their text, rows on the phone; axe on all of it at both sizes.
//
// Its fixtures are its own (KPI keys f_*, rule names "f "), the 225 rules
// disabled so nothing fires, and deleted at the end.
//
//   node tests/browser/20-forms.mjs   (GW_TEST_URL, GW_TEST_ADMIN_PASSWORD, ... set by tests/run.sh)
import assert from 'node:assert/strict';
import { base, adminPassword, shots, step, api, admin, newSession, axe, fitsWidth, finish, desktop, phone } from './lib.mjs';

await api('POST', '/api/kpis', admin, { key: 'f_sales', name: 'Forms sales', category: 'financial', unit: 'USD' });
await api('POST', '/api/kpis', admin, { key: 'f_weight', name: 'Forms gold weight', category: 'operational', unit: 'g' });

const made = [];   // rule ids to delete at the end
const D = await newSession('admin', adminPassword, { viewport: desktop, bypassCSP: true });
const P = await newSession('admin', adminPassword, { viewport: phone, bypassCSP: true });

// The messages at the marked fields, by field id.
async function messages(page) {
  return page.$$eval('.field-error', (ps) => Object.fromEntries(ps.filter((p) => p.textContent.trim())
    .map((p) => [p.id.replace(/^err-/, ''), p.textContent.trim()])));
}

await step('rule form: every message in the words of its label, one a field, the count right', async () => {
  const p = D.page;
  await p.goto(base + '/rules/new');
  await p.fill('#name', '');
  await p.fill('#threshold', 'a lot');
  await p.fill('#for_evaluations', '101');
  await p.fill('#cooldown_minutes', 'soon');
  await p.fill('#recipients', 'owner@shop.example\nnot-an-address');
  await Promise.all([p.waitForNavigation(), p.click('#rule-form button.primary')]);
  const got = await messages(p);
  assert.equal(got.name, 'Enter a name for the rule');
  assert.equal(got.kpi, 'Choose a KPI');
  assert.match(got.threshold, /^Threshold must be a number/);
  assert.equal(got.for_evaluations, 'Breaches in a row must be from 1 to 100');
  assert.match(got.cooldown_minutes, /^Quiet minutes after it fired must be a whole number/);
  assert.equal(got.recipients, 'not-an-address is not an e-mail address');
  for (const [field, text] of Object.entries(got)) {
    assert.doesNotMatch(text, /[a-z]+_[a-z_]+/, `${field}: no API field name in "${text}"`);
    assert.equal((text.match(/must|Choose|Enter|is not/g) || []).length, 1, `${field}: one message, not "${text}"`);
  }
  const marked = await p.locator('[aria-invalid=true]').count();
  assert.equal(marked, Object.keys(got).length, 'every message marks its field');
  assert.equal(await p.textContent('#form-errors h2'), `${marked} fields need attention`);
  assert.equal(await p.locator('#form-errors li').count(), marked);
  assert.equal(await p.evaluate(() => document.activeElement.id), 'form-errors', 'focus on the summary');
  await p.screenshot({ path: shots + 'rule-form-messages.png', fullPage: true });
  await axe(p, 'the rule form with its errors');
  // one field wrong: singular
  await p.fill('#name', 'f one wrong');
  await p.selectOption('#kpi', 'f_sales');
  await p.fill('#threshold', '5000');
  await p.fill('#for_evaluations', '1');
  await p.fill('#cooldown_minutes', '0');
  await Promise.all([p.waitForNavigation(), p.click('#rule-form button.primary')]);
  assert.equal(await p.textContent('#form-errors h2'), '1 field needs attention');
  assert.equal(await p.locator('[aria-invalid=true]').count(), 1);
});

await step('rule form on the phone: the messages and the summary fit, axe clean', async () => {
  const p = P.page;
  await p.goto(base + '/rules/new');
  await p.fill('#threshold', '5,00,0');
  await Promise.all([p.waitForNavigation(), p.click('#rule-form button.primary')]);
  assert.match((await messages(p)).threshold, /^Threshold must be a number, like 5,000/);
  assert.equal(await p.inputValue('#threshold'), '5,00,0', 'kept as typed');
  await fitsWidth(p, 'the rule form with errors on the phone');
  await p.screenshot({ path: shots + 'rule-form-messages-phone.png', fullPage: true });
  await axe(p, 'the rule form with its errors on the phone');
});

await step('"Add one." on a KPI page opens the rule form with that KPI chosen', async () => {
  const p = D.page;
  await p.goto(base + '/kpis/f_weight');
  await Promise.all([p.waitForURL(/\/rules\/new\?kpi=f_weight$/), p.click('text=Add one.')]);
  assert.equal(await p.inputValue('#kpi'), 'f_weight');
  assert.equal(await p.textContent('#threshold-unit'), 'g');
});

await step('numbers as people type them: "5,000", "1,250.50", "3%"', async () => {
  const p = D.page;
  for (const [typed, cond, want] of [['5,000', 'gt', 5000], ['1,250.50', 'lt', 1250.5], ['3%', 'pct_change_gt', 3]]) {
    await p.goto(base + '/rules/new');
    await p.fill('#name', `f typed ${typed}`);
    await p.selectOption('#kpi', 'f_sales');
    await p.selectOption('#condition', cond);
    if (cond.startsWith('pct')) await p.fill('#window_minutes', '60');
    await p.fill('#threshold', typed);
    await Promise.all([p.waitForURL(/\/rules\/\d+$/), p.click('#rule-form button.primary')]);
    const id = Number(p.url().split('/').pop());
    made.push(id);
    assert.equal((await api('GET', `/api/alerts/rules/${id}`, admin)).json.threshold, want, typed);
  }
  // "3%" where the threshold is not a percent: refused at the field
  await p.goto(base + '/rules/new');
  await p.fill('#name', 'f percent of dollars');
  await p.selectOption('#kpi', 'f_sales');
  await p.fill('#threshold', '3%');
  await Promise.all([p.waitForNavigation(), p.click('#rule-form button.primary')]);
  assert.match((await messages(p)).threshold, /^Threshold must be a number/);
});

await step('percent change: the threshold reads as a sentence with its unit, and cannot be set the wrong way round', async () => {
  const p = D.page;
  await p.goto(base + '/rules/new');
  await p.selectOption('#kpi', 'f_weight');
  await p.waitForFunction(() => document.getElementById('threshold-unit').textContent === 'g');  // the KPI's unit
  await p.selectOption('#condition', 'pct_change_lt');
  await p.waitForFunction(() => document.getElementById('threshold-unit').textContent === '%');
  assert.equal(await p.textContent('#threshold-words'), 'falls by more than');
  await p.fill('#name', 'f falls');
  await p.fill('#window_minutes', '60');
  await p.fill('#threshold', '3');   // a fall of 3 %, typed as people say it
  await p.screenshot({ path: shots + 'rule-form-pct-change.png', fullPage: true });
  await Promise.all([p.waitForURL(/\/rules\/\d+$/), p.click('#rule-form button.primary')]);
  const id = Number(p.url().split('/').pop());
  made.push(id);
  assert.equal((await api('GET', `/api/alerts/rules/${id}`, admin)).json.threshold, -3);
  assert.equal(await p.inputValue('#threshold'), '3', 'shown as the size of the fall');
  assert.equal(await p.textContent('#threshold-words'), 'falls by more than');
  // typed with a minus it is still a fall
  await p.fill('#threshold', '-4');
  await Promise.all([p.waitForURL(/\/rules\/\d+$/), p.click('#rule-form button.primary')]);
  assert.equal((await api('GET', `/api/alerts/rules/${id}`, admin)).json.threshold, -4);
  // every label shows in full (none cut off) on both sizes
  for (const s of [D, P]) {
    await s.page.goto(base + `/rules/${id}`);
    const cut = await s.page.$$eval('#rule-form label, #threshold-words', (ls) => ls
      .filter((l) => l.offsetParent && (l.scrollWidth > l.clientWidth + 1)).map((l) => l.textContent));
    assert.deepEqual(cut, [], 'no label cut off');
    await fitsWidth(s.page, 'the percent-change rule form');
  }
  await P.page.screenshot({ path: shots + 'rule-form-pct-change-phone.png', fullPage: true });
});

await step('keyboard only: a rule made with Tab, typing and Enter, one error round, focus on the summary', async () => {
  const p = D.page;
  await p.goto(base + '/rules/new');
  await p.focus('#name');
  await p.keyboard.type('f by keyboard');
  await p.keyboard.press('Tab');   // description
  await p.keyboard.press('Tab');   // KPI
  await p.keyboard.type('Forms sales');
  await p.keyboard.press('Tab');   // condition (above the threshold)
  await p.keyboard.press('Tab');   // threshold
  await p.keyboard.type('lots');
  await p.keyboard.press('Enter');
  await p.waitForSelector('#form-errors');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'form-errors');
  assert.equal(await p.textContent('#form-errors h2'), '1 field needs attention');
  // the summary's link takes the keyboard to the field
  await p.keyboard.press('Tab');
  await p.keyboard.press('Enter');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'threshold');
  await p.keyboard.press('Control+A');
  await p.keyboard.type('2,500');
  await p.keyboard.press('Enter');
  await p.waitForURL(/\/rules\/\d+$/);
  const id = Number(p.url().split('/').pop());
  made.push(id);
  const r = (await api('GET', `/api/alerts/rules/${id}`, admin)).json;
  assert.equal(r.kpi, 'f_sales');
  assert.equal(r.threshold, 2500);
});

await step('every other page form says its labels\' words', async () => {
  const p = D.page;
  const csrf = async () => p.getAttribute('input[name=_csrf]', 'value');
  const post = async (path, form) => {
    const r = await p.request.post(base + path, { form: { _csrf: await csrf(), ...form }, maxRedirects: 0 });
    return { status: r.status(), html: await r.text() };
  };
  const at = (html, id) => {
    const m = html.match(new RegExp(`id="err-${id}">([^<]*)<`));
    return m ? m[1] : '';
  };
  // in the browser: the message's field takes the focus
  await p.goto(base + '/calendar');
  const monday = await p.inputValue('#hours_mon');
  await p.fill('#hours_mon', '10:00-25:00');
  await Promise.all([p.waitForNavigation(), p.click('form[action="/calendar"] button[type=submit]')]);
  assert.match(await p.textContent('#err-mon'), /^Monday/);
  assert.equal(await p.evaluate(() => document.activeElement.id), 'hours_mon', 'focus on the field its message describes');
  assert.equal(await p.inputValue('#hours_mon'), '10:00-25:00');
  assert.notEqual(monday, '10:00-25:00');
  await p.goto(base + '/silences');
  let r = await post('/silences', { scope: 'rule', rule_id: '', minutes: '60', reason: 'x' });
  assert.equal(at(r.html, 'rule_id'), 'Choose the rule to silence');
  r = await post('/silences', { scope: 'kpi', kpi: '', minutes: '60', reason: 'x' });
  assert.equal(at(r.html, 'kpi'), 'Choose the KPI to silence');
  r = await post('/silences', { scope: 'all', minutes: '60', reason: '' });
  assert.equal(at(r.html, 'reason'), 'Enter why: the reason is required');
  await p.goto(base + '/contact-points');
  r = await post('/contact-points', { name: 'f mail', kind: 'email', addresses: 'a@shop.example\nnobody' });
  assert.equal(at(r.html, 'addresses'), 'nobody is not an e-mail address');
  await p.goto(base + '/tokens');
  r = await post('/tokens', { name: '' });
  assert.equal(at(r.html, 'name'), 'Enter a name for the token');
  await p.goto(base + '/calendar');
  r = await post('/calendar', { hours_mon: '10:00-25:00', hours_tue: '', hours_wed: '', hours_thu: '', hours_fri: '', hours_sat: '', hours_sun: '', closed_days: '' });
  assert.match(at(r.html, 'mon'), /^Monday/);
  await p.goto(base + '/notification-policies');
  r = await post('/notification-policies', { count: '0', pd_wait: 'soon' });
  assert.equal(r.status, 422);
  assert.match(r.html, /Group wait, seconds must be/);
  await p.goto(base + '/escalation-policies/new');
  r = await post('/escalation-policies', { name: '' });
  assert.match(r.html, /Enter a name for the escalation policy/);
  for (const html of [r.html]) assert.doesNotMatch(html.replace(/<[^>]*>/g, ''), /\b(rule_id|kpi is|settings\.|hours\.mon|levels\.\d)/);
});

await step('the rule form sends a test notification (a POST, with or without JavaScript), the result in the page', async () => {
  const s = await newSession('admin', adminPassword, { viewport: desktop, javaScriptEnabled: false });
  const p = s.page;
  const withMail = await api('POST', '/api/alerts/rules', admin, { name: 'f test mail', kpi: 'f_sales', condition: 'gt',
    threshold: 1, severity: 'info', enabled: false, recipients: ['owner@shop.example', 'manager@shop.example'] });
  const without = await api('POST', '/api/alerts/rules', admin, { name: 'f test nobody', kpi: 'f_sales', condition: 'gt',
    threshold: 1, severity: 'info', enabled: false });
  made.push(withMail.json.id, without.json.id);
  await p.goto(base + `/rules/${withMail.json.id}`);
  await Promise.all([p.waitForNavigation(), p.click('#rule-test button')]);
  assert.equal(p.url(), base + `/rules/${withMail.json.id}`);
  assert.match(await p.textContent('.flash-ok'), /A test notification is on its way to 2 addresses/);
  await p.goto(base + `/rules/${without.json.id}`);
  await Promise.all([p.waitForNavigation(), p.click('#rule-test button')]);
  assert.match(await p.textContent('.flash-error'), /No test notification sent: Mail these addresses is empty/);
  await s.context.close();
  await D.page.goto(base + `/rules/${withMail.json.id}`);
  await Promise.all([D.page.waitForNavigation(), D.page.click('#rule-test button')]);
  assert.match(await D.page.textContent('.flash-ok'), /on its way to 2 addresses/);
  await axe(D.page, 'the rule page after a test notification');
});

await step('the rule page says who made it and who last changed it, and when', async () => {
  const sara = 'f_sara';
  await api('POST', '/api/users', admin, { username: sara, password: 'sara-forms-password', role: 'admin' });
  const p = D.page;
  await p.goto(base + '/rules/new');
  await p.fill('#name', 'f made and changed');
  await p.selectOption('#kpi', 'f_sales');
  await p.fill('#threshold', '10');
  await Promise.all([p.waitForURL(/\/rules\/\d+$/), p.click('#rule-form button.primary')]);
  const id = Number(p.url().split('/').pop());
  made.push(id);
  const when = /\d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d/.source;
  assert.match(await p.textContent('#rule-made'), new RegExp(`^Created by admin on ${when}$`));
  const S = await newSession(sara, 'sara-forms-password', { viewport: desktop });
  await S.page.goto(base + `/rules/${id}`);
  await S.page.fill('#threshold', '11');
  await Promise.all([S.page.waitForNavigation(), S.page.click('#rule-form button.primary')]);
  assert.match(await S.page.textContent('#rule-made'), new RegExp(`^Created by admin on ${when} · changed by ${sara} on ${when}$`));
  await S.page.screenshot({ path: shots + 'rule-page-made.png' });
  await S.context.close();
});

await step('history filters: dates read as pages print them, a reversed range is an error at the field', async () => {
  for (const [s, size] of [[D, 'desktop'], [P, 'phone']]) {
    const p = s.page;
    await p.goto(base + '/alerts');
    assert.equal(await p.getAttribute('#f-since', 'type'), 'text', 'not the browser locale\'s mm/dd/yyyy');
    assert.equal(await p.getAttribute('#f-since', 'placeholder'), '01 Dec 2026');
    await p.fill('#f-since', '10 Dec 2026');
    await p.fill('#f-until', '2026-12-01');
    const [res] = await Promise.all([p.waitForNavigation(), p.click('form.filters button.primary')]);
    assert.equal(res.status(), 422);
    assert.equal(await p.textContent('#err-until'), 'To must be on or after From: the range is the wrong way round');
    assert.equal(await p.getAttribute('#f-until', 'aria-invalid'), 'true');
    assert.equal(await p.inputValue('#f-since'), '10 Dec 2026');
    assert.equal(await p.inputValue('#f-until'), '01 Dec 2026', 'shown as pages print dates');
    await p.screenshot({ path: shots + `alerts-dates-${size}.png`, fullPage: size === 'desktop' });
    // the phone's history table is the dashboard and alerts part's (rows): axe there is theirs
    if (size === 'desktop') await axe(p, 'the history with a date error');
    await fitsWidth(p, `the history with a date error (${size})`);
    await p.goto(base + '/alerts?since=12%2F01%2F2026');
    assert.equal(await p.textContent('#err-since'), 'From must be a date, like 01 Dec 2026');
    await p.goto(base + '/alerts?since=2026-11-01&until=30+Nov+2026');
    assert.equal(await p.textContent('#err-until'), '');
    assert.equal(await p.inputValue('#f-since'), '01 Nov 2026');
  }
});

// 225 rules of this file's own, disabled: nothing fires
const many = [];
for (let i = 1; i <= 225; i++) {
  const r = await api('POST', '/api/alerts/rules', admin, {
    name: `f many ${String(i).padStart(3, '0')}`, kpi: i % 5 === 0 ? 'f_weight' : 'f_sales', condition: 'gt',
    threshold: i, severity: i % 3 === 0 ? 'critical' : 'warning', enabled: false,
  });
  assert.equal(r.status, 201, `rule ${i}`);
  many.push(r.json.id);
}

await step('rules list: pages of 50 with counts, search, filters, all as links without JavaScript', async () => {
  const s = await newSession('admin', adminPassword, { viewport: desktop, javaScriptEnabled: false });
  const p = s.page;
  const total = (await api('GET', '/api/alerts/rules', admin)).json.items.length;
  const res = await p.goto(base + '/rules');
  assert.ok((await res.body()).length < 100 * 1024, 'no longer one page of every rule');
  assert.equal(await p.textContent('#rules-count'), `Rules 1-50 of ${total}`);
  assert.equal(await p.locator('#rules tbody tr').count(), 50);
  await Promise.all([p.waitForNavigation(), p.click('a[rel=next]')]);
  assert.match(p.url(), /page=2$/);
  assert.equal(await p.textContent('#rules-count'), `Rules 51-100 of ${total}`);
  // search by name, then narrowed by severity and KPI
  await p.fill('#f-q', 'f many 1');
  await Promise.all([p.waitForNavigation(), p.click('#rules-filter button')]);
  assert.equal(await p.textContent('#rules-count'), `Rules 1-50 of 100 (${total} rules in all)`);
  await p.selectOption('#f-severity', 'critical');
  await p.selectOption('#f-state', 'disabled');
  await Promise.all([p.waitForNavigation(), p.click('#rules-filter button')]);
  const crit = many.filter((_, i) => (i + 1) % 3 === 0 && String(i + 1).padStart(3, '0').startsWith('1')).length;
  assert.equal(await p.textContent('#rules-count'), `Rules 1-${crit} of ${crit} (${total} rules in all)`);
  assert.equal(await p.inputValue('#f-q'), 'f many 1', 'the search is kept');
  const weighed = (await api('GET', '/api/alerts/rules?kpi=f_weight', admin)).json.items.length;
  await p.goto(base + '/rules?q=Forms+gold');
  assert.equal(await p.textContent('#rules-count'), `Rules 1-${weighed} of ${weighed} (${total} rules in all)`,
    "a KPI's name finds its rules");
  await p.goto(base + '/rules?kind=system');
  assert.ok(await p.locator('#rules tbody tr').count() > 0);
  assert.equal(await p.locator('#rules tbody tr a:has-text("f many")').count(), 0);
  // a value no select offers: a message at that filter, not an empty list
  const bad = await p.goto(base + '/rules?severity=urgent');
  assert.equal(bad.status(), 422);
  assert.equal(await p.textContent('#err-f-severity'), 'Choose a severity from the list');
  await p.goto(base + '/rules?q=nothing+like+this');
  assert.equal(await p.textContent('#rules-count'), `No rules match (${total} rules in all)`);
  await s.context.close();
});

await step('rules list: the toggles say what they do, and their names start with it', async () => {
  const p = D.page;
  await p.goto(base + '/rules?q=f+many+00');
  const b = p.locator('#rules tbody tr', { hasText: 'f many 001' }).locator('button');
  assert.equal(await b.textContent(), 'Enable');
  assert.equal(await b.getAttribute('aria-label'), 'Enable f many 001');
  await Promise.all([p.waitForNavigation(), b.click()]);
  assert.equal((await api('GET', `/api/alerts/rules/${many[0]}`, admin)).json.enabled, true);
  await p.goto(base + '/rules?q=f+many+001');
  assert.equal(await p.textContent('#rules tbody tr .onoff'), 'Enabled');
  await Promise.all([p.waitForNavigation(), p.click('#rules tbody tr button')]);
  assert.equal((await api('GET', `/api/alerts/rules/${many[0]}`, admin)).json.enabled, false);
});

await step('rules list: axe clean with 225 rules, a search and page 2, at both sizes; rows on the phone', async () => {
  for (const [s, size] of [[D, 'desktop'], [P, 'phone']]) {
    const p = s.page;
    for (const path of ['/rules', '/rules?q=f+many+1&severity=critical', '/rules?page=2']) {
      await p.goto(base + path);
      await axe(p, `${path} (${size})`);
      await fitsWidth(p, `${path} (${size})`);
    }
    await p.goto(base + '/rules');
    await p.screenshot({ path: shots + `rules-list-${size}.png`, fullPage: size === 'desktop' });
  }
  // the phone: the table's rows are blocks, the Enabled cell labelled and on the screen
  const p = P.page;
  assert.equal(await p.getAttribute('#rules', 'class'), 'rows');
  const cells = await p.$$eval('#rules tbody tr:first-child td', (tds) => tds.map((td) => td.dataset.label || ''));
  assert.deepEqual(cells, ['', 'Fires when', 'Severity', 'Recipients', 'Status', 'Enabled']);
  const box = await p.locator('#rules tbody tr:first-child .rule-enabled button').boundingBox();
  assert.ok(box && box.x + box.width <= 390, `the Enabled toggle is on the phone's screen (${box && box.x + box.width})`);
});

for (const id of [...made, ...many]) await api('DELETE', `/api/alerts/rules/${id}`, admin);
await api('DELETE', '/api/kpis/f_sales', admin);
await api('DELETE', '/api/kpis/f_weight', admin);
const sara = (await api('GET', '/api/users', admin)).json.items.find((u) => u.username === 'f_sara');
// users are never deleted: the second admin is disabled, her sessions ended
if (sara) assert.equal((await api('PATCH', `/api/users/${sara.id}`, admin, { disabled: true })).status, 200);
await D.context.close();
await P.context.close();
await finish('20-forms');
