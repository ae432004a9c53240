// tests/browser/41-resume.mjs - an action started while signed out is
// never lost: Acknowledge with the session cookie deleted (desktop) or the
// session ended through the API (phone) leads to the sign-in page keeping
// the action (in its address, after a 303: never the old CSRF token), and after signing in the action is offered again with its note
// (a fresh CSRF token, one click) and then done; a signed-out GET comes
// back to its page and query after signing in; next= never leads off the
// site; a kept form never keeps a secret field (a bot token: typed again).
// Fixtures are named r41_*.
//
//   node tests/browser/41-resume.mjs   (GW_TEST_URL, GW_TEST_ADMIN_PASSWORD, GW_TEST_STACK, GW_TEST_BIN set by tests/run.sh)
import assert from 'node:assert/strict';
import { base, adminPassword, shots, step, api, admin, newSession, axe, fitsWidth, finish, desktop, phone } from './lib.mjs';

const opPassword = 'r41-operator-pw';
const op = await api('POST', '/api/users', admin, { username: 'r41_op', password: opPassword, role: 'operator' });
assert.equal(op.status, 201, 'r41_op created');
await api('POST', '/api/kpis', admin, { key: 'r41_till', name: 'R41 till', category: 'operational', unit: 'pieces' });
const rule = await api('POST', '/api/alerts/rules', admin, { name: 'R41 till over 5,000', kpi: 'r41_till',
  condition: 'gt', threshold: 5000, severity: 'info', cooldown_minutes: 0 });
assert.equal(rule.status, 201, 'r41 rule created');

// A firing alert of the r41 rule: pushed above the threshold, evaluated.
async function fire() {
  await api('POST', '/api/kpis/r41_till/samples', admin, { value: 7500, evaluate: false });
  const ev = await api('POST', '/api/alerts/evaluate', admin, { rule_ids: [rule.json.id] });
  assert.equal(ev.json.fired.length, 1, 'the r41 rule fired');
  return ev.json.fired[0].id;
}
// Back below it, so the alert resolves and the rule may fire again.
async function settle() {
  await api('POST', '/api/kpis/r41_till/samples', admin, { value: 10, evaluate: false });
  await api('POST', '/api/alerts/evaluate', admin, { rule_ids: [rule.json.id] });
}

// The alert page with a note typed, then the session gone (how: lose()),
// then Acknowledge: the sign-in page keeps the action; signing in offers it
// again with the note; one click acknowledges it with the note.
async function resumeAck(size, lose, name) {
  const id = await fire();
  const S = await newSession('r41_op', opPassword, { viewport: size, bypassCSP: true });
  const p = S.page;
  await p.goto(`${base}/alerts/${id}`);
  await p.fill('#ack-note-input', 'r41 on my way to the till');
  await lose(S);
  await p.click('#ack-form button[type=submit]');
  await p.waitForSelector('#login-resume');
  // a GET after the POST (303): reloading the sign-in page posts nothing
  assert.equal(new URL(p.url()).pathname, '/login');
  assert.equal(new URL(p.url()).searchParams.get('next'), `/alerts/${id}`, 'back to the page it was sent from');
  assert.equal(await p.locator('input[name=resume]').inputValue(), `/alerts/${id}/acknowledge`);
  assert.equal(await p.locator('input[name="resume.note"]').inputValue(), 'r41 on my way to the till');
  assert.equal(await p.locator('input[name="resume._csrf"]').count(), 0, 'the old CSRF token is not kept');
  assert.equal((await api('GET', `/api/alerts/${id}`, admin)).json.state, 'firing', 'nothing done while signed out');
  await axe(p, `the sign-in page keeping an action (${name})`);
  await fitsWidth(p, `the sign-in page keeping an action (${name})`);
  await p.screenshot({ path: `${shots}resume-login-${name}.png`, fullPage: true });
  await p.fill('#username', 'r41_op');
  await p.fill('#password', opPassword);
  await p.click('form.form button[type=submit]');
  await p.waitForSelector('#resume-form');
  const q = await p.textContent('#resume-question');
  assert.match(q, new RegExp(`Acknowledge alert #${id} .R41 till over 5,000.\\?`));
  assert.equal(await p.inputValue('#resume-note'), 'r41 on my way to the till');
  assert.equal((await api('GET', `/api/alerts/${id}`, admin)).json.state, 'firing', 'offered, not done by the sign-in');
  assert.ok(await p.locator('#resume-form button[type=submit]').isVisible(), 'the button is on the first screen');
  await axe(p, `the action offered again (${name})`);
  await fitsWidth(p, `the action offered again (${name})`);
  await p.screenshot({ path: `${shots}resume-offer-${name}.png`, fullPage: true });
  await p.click('#resume-form button[type=submit]');
  await p.waitForLoadState('load');
  assert.ok(!/application\/json/.test(await p.evaluate(() => document.contentType)), 'a page, not JSON');
  const a = (await api('GET', `/api/alerts/${id}`, admin)).json;
  assert.equal(a.state, 'acknowledged');
  assert.equal(a.acknowledged_by, 'r41_op');
  assert.equal(a.ack_note, 'r41 on my way to the till');
  await S.context.close();
  await settle();
}

await step('Acknowledge with the session cookie deleted: sign in, offered again with the note, acknowledged (desktop)', async () => {
  await resumeAck(desktop, async (S) => {
    const kept = (await S.context.cookies()).filter((c) => c.name !== 'gw_session');
    await S.context.clearCookies();
    await S.context.addCookies(kept);
  }, 'desktop');
});

await step('Acknowledge after the session was ended through the API: the same (phone)', async () => {
  await resumeAck(phone, async () => {
    const ended = await api('DELETE', `/api/users/${op.json.id}/sessions`, admin);
    assert.equal(ended.status, 200, 'sessions ended');
  }, 'phone');
});

await step('a signed-out GET comes back to its page and query after signing in', async () => {
  const S = await newSession('r41_op', opPassword, { viewport: desktop });
  const p = S.page;
  await S.context.clearCookies();
  await p.goto(`${base}/alerts?state=acknowledged&kpi=r41_till`);
  assert.equal(new URL(p.url()).pathname, '/login');
  assert.equal(new URL(p.url()).searchParams.get('next'), '/alerts?state=acknowledged&kpi=r41_till');
  await p.fill('#username', 'r41_op');
  await p.fill('#password', opPassword);
  await Promise.all([p.waitForURL(/\/alerts\?/), p.click('form.form button[type=submit]')]);
  const u = new URL(p.url());
  assert.equal(u.pathname, '/alerts');
  assert.equal(u.searchParams.get('state'), 'acknowledged');
  assert.equal(u.searchParams.get('kpi'), 'r41_till');
  await S.context.close();
});

await step('next= leads only to a page of this site (//evil.example, https://evil.example, /\\evil)', async () => {
  for (const next of ['//evil.example', 'https://evil.example', '/\\evil', '/\\/evil.example', ' //evil.example']) {
    const S = await newSession('r41_op', opPassword, { viewport: desktop });
    const p = S.page;
    await S.context.clearCookies();
    await p.goto(`${base}/login?next=${encodeURIComponent(next)}`);
    assert.equal(await p.locator('input[name=next]').inputValue(), '/', `next ${next} is not kept`);
    await p.fill('#username', 'r41_op');
    await p.fill('#password', opPassword);
    await Promise.all([p.waitForURL(base + '/'), p.click('form.form button[type=submit]')]);
    assert.equal(new URL(p.url()).origin, new URL(base).origin, `after next ${next}`);
    // signed in already: /login?next= redirects at once, and still only home
    await p.goto(`${base}/login?next=${encodeURIComponent(next)}`);
    assert.equal(p.url(), base + '/', `signed in, next ${next}`);
    await S.context.close();
  }
});

await step('a kept action that is not a form of this site is not offered', async () => {
  // a forged sign-in form naming the API or the sign-out: signed in, the user only goes home
  const S = await newSession('r41_op', opPassword, { viewport: desktop });
  const p = S.page;
  for (const path of ['/api/alerts/1/acknowledge', '/logout', '//evil.example/x', '/login']) {
    await S.context.clearCookies();
    await p.goto(base + '/login');
    await p.evaluate((v) => { document.querySelector('input[name=next]').insertAdjacentHTML('afterend',
      '<input type="hidden" name="resume"><input type="hidden" name="resume.note" value="x">');
    document.querySelector('input[name=resume]').value = v; }, path);
    await p.fill('#username', 'r41_op');
    await p.fill('#password', opPassword);
    await Promise.all([p.waitForURL(base + '/'), p.click('form.form button[type=submit]')]);
    assert.equal(await p.locator('#resume-form').count(), 0, `${path} not offered`);
  }
  await S.context.close();
});

await step('a kept action from a link says what it does and waits for the click', async () => {
  // anyone can link to the sign-in page with a kept form: the offer names it
  const S = await newSession('admin', adminPassword, { viewport: desktop });
  const p = S.page;
  await p.goto(`${base}/login?next=%2Frules&resume=${encodeURIComponent(`/rules/${rule.json.id}/delete`)}&resume.confirm=1`);
  assert.equal(await p.textContent('#resume-question'), `Delete rule #${rule.json.id}?`);
  assert.equal(await p.textContent('#resume-form button[type=submit]'), 'Delete rule');
  assert.equal((await api('GET', `/api/alerts/rules/${rule.json.id}`, admin)).status, 200, 'not deleted by the link');
  await S.context.close();
});

await step('a contact point sent while signed out keeps its name, never its secret (typed again)', async () => {
  const S = await newSession('admin', adminPassword, { viewport: desktop });
  const p = S.page;
  await p.goto(base + '/contact-points');
  await p.selectOption('#kind', 'telegram');
  await p.fill('#name', 'R41 owner phone');
  await p.fill('#bot_token', '123456:r41-token-never-kept');
  await p.fill('#chat_id', '-100441');
  await S.context.clearCookies();
  const [resp] = await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), p.click('#cp-form button[type=submit]')]);
  assert.match(p.url(), /\/login\?/, 'the sign-in page');
  assert.ok(!p.url().includes('r41-token-never-kept'), 'the token is not in the address');
  assert.ok(!(await p.content()).includes('r41-token-never-kept'), 'nor in the page');
  assert.ok(p.url().includes('R41'), 'the name is kept');
  assert.ok(resp);
  await S.context.close();
});

await api('DELETE', `/api/alerts/rules/${rule.json.id}`, admin);
await finish('41-resume');
