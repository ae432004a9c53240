// tests/browser/90-every-page.mjs - every staff page (each GET page route
// of cgi/routes.c: the list below must name them all) with data on it, at
// 1280x800 and 390x844, signed in as admin: axe-core finds nothing, the
// page does not scroll sideways although a rule, a KPI, a contact point,
// an escalation policy, a token and a silence have names of 100 to 200
// characters without a space, and a screenshot of each goes to
// build/browser/<name>-desktop.png and <name>-phone.png. The HTML mail of
// the alert on those names fits a 600 px window; the pages' main action is
// on the first screen of a phone; tables become rows on a phone; the
// charts have a data table and an accessible name; chart text stays
// 11 px or more on a phone.
//
// Runs last: its silence (on its own KPI) and its long names stay.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { base, adminPassword, shots, browser, step, api, admin, newSession, axe, fitsWidth,
  finish, desktop, phone, watch } from './lib.mjs';

// After the integration suites the rules list holds thousands of rules:
// axe takes minutes over them (even told to exclude them) and the page's
// picture is a thousand screens. Once the whole page is seen to fit, the
// rows of a table and the items of a list past the 40th are taken out, and
// the picture and axe see that sample of rows alike.
async function sampleRows(page) {
  await page.evaluate(() => document.querySelectorAll('tbody > tr:nth-child(n+41), ul > li:nth-child(n+41), ol > li:nth-child(n+41)')
    .forEach((e) => e.remove()));
}

const rel = (p) => new URL(p, import.meta.url).pathname;

// -- the fixtures: every name as long as its field takes, without a space
// (a run's own suffix: the file can run again on the same stack)
const run = Date.now().toString(36).slice(-6);
const unbroken = (first, fill, n) => (first + run + fill.repeat(n)).slice(0, n);
const kpiKey = 'c9_long_' + run;
const kpiName = unbroken('K', 'p', 200);
const ruleName = unbroken('R', 'u', 200);
const cpName = unbroken('C', 'o', 100);
const epName = unbroken('E', 's', 100);
const tokenName = unbroken('T', 'k', 200);
const reason = unbroken('W', 'h', 200);
assert.equal((await api('POST', '/api/kpis', admin, { key: kpiKey, name: kpiName, category: 'financial', unit: 'USD' })).status, 201);
const now = Date.now();
for (let i = 48; i >= 1; i--) {
  const at = new Date(now - i * 1800e3).toISOString();
  const value = Math.round(2000 + 120 * Math.sin(i / 4));
  assert.equal((await api('POST', `/api/kpis/${kpiKey}/samples`, admin, { value, at, evaluate: false })).status, 201);
}
const cp = await api('POST', '/api/contact-points', admin, { name: cpName, kind: 'email', settings: { addresses: ['c9-long@shop.example'] } });
assert.equal(cp.status, 201, JSON.stringify(cp.json));
const ep = await api('POST', '/api/escalation-policies', admin, { name: epName, levels: [{ after_minutes: 30, contact_points: [cp.json.id] }] });
assert.equal(ep.status, 201, JSON.stringify(ep.json));
// a user who may acknowledge gets the mail, with its acknowledge link
const opMail = `c9-op-${run}@shop.example`;
assert.equal((await api('POST', '/api/users', admin, { username: `c9_op_${run}`, password: 'c9-operator-pw',
  role: 'operator', email: opMail })).status, 201);
const rule = await api('POST', '/api/alerts/rules', admin, { name: ruleName, kpi: kpiKey, condition: 'gt', threshold: 2500,
  severity: 'critical', recipients: [opMail], description: 'D' + 'e'.repeat(299), escalation_policy_id: ep.json.id });
assert.equal(rule.status, 201, JSON.stringify(rule.json));
assert.equal((await api('POST', `/api/kpis/${kpiKey}/samples`, admin, { value: 2600, evaluate: false })).status, 201);
const ev = await api('POST', '/api/alerts/evaluate', admin, { rule_ids: [rule.json.id] });
const alertId = ev.json.fired[0].id;
const tok = await api('POST', '/api/auth/tokens', admin, { name: tokenName, expires_days: 30 });
assert.equal(tok.status, 201, JSON.stringify(tok.json));
const routing = (await api('GET', '/api/notification-policies', admin)).json;
if (routing.policies.length === 0) {
  const put = await api('PUT', '/api/notification-policies', admin,
    { policies: [{ matchers: { kpi: [kpiKey] }, contact_points: [cp.json.id] }] });
  assert.equal(put.status, 200, JSON.stringify(put.json));
}
const me = (await api('GET', '/api/auth/me', admin)).json;

// -- the mail about the alert: the test SMTP server's folder, or the spool
function decodeQP(s) {
  const bytes = [];
  const t = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '=' && /^[0-9A-F]{2}$/.test(t.slice(i + 1, i + 3))) { bytes.push(parseInt(t.slice(i + 1, i + 3), 16)); i += 2; }
    else bytes.push(t.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}
function htmlPart(eml) {
  const m = eml.match(/Content-Type: text\/html[^\r\n]*\r?\nContent-Transfer-Encoding: quoted-printable\r?\n\r?\n([\s\S]*?)\r?\n--/);
  return m ? decodeQP(m[1]) : null;
}
async function mailAbout(name) {
  const dirs = [process.env.GW_TEST_SMTP_DIR && process.env.GW_TEST_SMTP_DIR + '/mail',
    process.env.GW_TEST_STACK && process.env.GW_TEST_STACK + '/spool'].filter((d) => d && existsSync(d));
  const read = new Set();
  for (let tries = 0; tries < 100; tries++) {
    for (const d of dirs) {
      for (const f of readdirSync(d).filter((x) => x.endsWith('.eml') && !read.has(`${d}/${x}`))) {
        read.add(`${d}/${f}`);
        const html = htmlPart(readFileSync(`${d}/${f}`, 'latin1'));
        if (html && html.includes(name)) return html;
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail about ${name.slice(0, 10)}... in ${dirs.join(', ')}`);
}
const mail = await mailAbout(ruleName);
const ackUrl = new URL(mail.match(/href="([^"]*\/ack\?t=[^"]*)"/)[1].replace(/&amp;/g, '&'));
const ackPath = ackUrl.pathname + ackUrl.search;

// the silence after the mail went out (it would have held it back)
const sil = await api('POST', '/api/alerts/silences', admin, { scope: 'kpi', kpi: kpiKey,
  ends_at: new Date(now + 3600e3).toISOString(), reason });
assert.equal(sil.status, 201, JSON.stringify(sil.json));

// -- every page: route pattern -> [screenshot name, path, the main action or null]
const pages = {
  '/login': ['login', '/login', 'form.form button[type=submit]'],
  '/': ['dashboard', '/', null],
  '/alerts': ['alerts', '/alerts', null],
  '/alerts/{id}': ['alert', `/alerts/${alertId}`, null],
  '/alerts/{id}/ack': ['ack', ackPath, '#ack-form button[type=submit]'],
  '/rules': ['rules', '/rules', null],
  '/rules/new': ['rule-new', '/rules/new', null],
  '/rules/{id}': ['rule', `/rules/${rule.json.id}`, null],
  '/kpis': ['kpis', '/kpis', null],
  '/kpis/{key}': ['kpi', `/kpis/${kpiKey}`, 'a.button[href*="period="]'],
  '/calendar': ['calendar', '/calendar', '.page-head .button.primary'],
  '/contact-points': ['contact-points', '/contact-points', '.page-head .button.primary'],
  '/contact-points/{id}': ['contact-point', `/contact-points/${cp.json.id}`, '.page-head .button.primary'],
  '/notification-policies': ['notification-policies', '/notification-policies', '#policies-form button.primary'],
  '/escalation-policies': ['escalation-policies', '/escalation-policies', '.page-head .button.primary'],
  '/escalation-policies/new': ['escalation-policy-new', '/escalation-policies/new', '#ep-form button.primary'],
  '/escalation-policies/{id}': ['escalation-policy', `/escalation-policies/${ep.json.id}`, '#ep-form button.primary'],
  '/tokens': ['tokens', '/tokens', '.page-head .button.primary'],
  '/status': ['status', '/status', null],
  '/account': ['account', '/account', '.page-head button.primary'],
  '/users/{id}/sessions': ['sessions', `/users/${me.id}/sessions`, '.page-head button.primary'],
  '/silences': ['silences', '/silences', '.page-head .button.primary'],
};
const signedOut = new Set(['/login', '/alerts/{id}/ack']);

await step('the list names every GET page route of cgi/routes.c', async () => {
  const src = readFileSync(rel('../../cgi/routes.c'), 'utf8');
  const routes = [...src.matchAll(/ROUTE(?:_Q)?\(\s*M_GET,\s*"([^"]+)"[^)]*\bROUTE_PAGE\b/g)].map((m) => m[1]);
  assert.ok(routes.length >= 20, `${routes.length} page routes found`);
  assert.deepEqual(routes.filter((r) => !(r in pages)), [], 'page routes this test does not visit');
  assert.deepEqual(Object.keys(pages).filter((r) => !routes.includes(r)), [], 'pages that are no route');
});

// One context per size (signed in, and one signed out), the viewport set once.
const sizes = { desktop, phone };
const sessions = {};
for (const [size, viewport] of Object.entries(sizes)) {
  const S = await newSession('admin', adminPassword, { bypassCSP: true, viewport });
  const out = await browser.newContext({ viewport, bypassCSP: true });
  const outPage = await out.newPage();
  watch(outPage);
  sessions[size] = { S, out: outPage };
}
const pageFor = (size, route) => (signedOut.has(route) ? sessions[size].out : sessions[size].S.page);

for (const size of Object.keys(sizes)) {
  for (const [route, [name, path]] of Object.entries(pages)) {
    await step(`${name} (${route}) at ${size}: axe clean, no sideways scroll, screenshot`, async () => {
      const p = pageFor(size, route);
      const r = await p.goto(base + path);
      assert.equal(r.status(), 200, `${path} answers 200`);
      await fitsWidth(p, `${path} at ${size}`);
      await sampleRows(p);
      await p.screenshot({ path: `${shots}${name}-${size}.png`, fullPage: true });
      await axe(p, `${path} at ${size}`);
      // whatever page has them: a table of class rows is one labelled block
      // per row on a phone; a chart is named, described and has its table
      const odd = await p.evaluate((narrow) => [
        ...Array.from(document.querySelectorAll('table.rows tbody tr')).filter((r) => narrow && getComputedStyle(r).display !== 'block')
          .slice(0, 1).map(() => 'a row of a rows table is not a block'),
        ...Array.from(document.querySelectorAll('table.rows td[data-label]')).filter((c) => narrow &&
          getComputedStyle(c, '::before').content !== JSON.stringify(c.dataset.label)).slice(0, 1).map((c) => `cell without its label ${c.dataset.label}`),
        ...Array.from(document.querySelectorAll('svg.chart')).filter((c) => c.getAttribute('role') !== 'img' || !c.getAttribute('aria-label') ||
          !document.getElementById(c.getAttribute('aria-describedby') || '-')).map(() => 'a chart without its name or description'),
        ...Array.from(document.querySelectorAll('svg.chart')).filter((c) => c.querySelector('.chart-line') &&
          !c.parentElement.querySelector('details.chart-data table')).map(() => 'a chart without its data table'),
      ], size === 'phone');
      assert.deepEqual(odd, [], `${path} at ${size}`);
    });
  }
  await step(`the error page at ${size}: axe clean, fits`, async () => {
    const p = sessions[size].S.page;
    const r = await p.goto(base + '/kpis/c9-no-such-kpi');
    assert.equal(r.status(), 404);
    await fitsWidth(p, `the error page at ${size}`);
    await p.screenshot({ path: `${shots}error-${size}.png`, fullPage: true });
    await axe(p, `the error page at ${size}`);
  });
}

await step('the long names are on the pages (not cut off to fit)', async () => {
  const p = sessions.phone.S.page;
  for (const [path, text] of [[`/alerts/${alertId}`, ruleName], [`/kpis/${kpiKey}`, kpiName], ['/contact-points', cpName],
    ['/escalation-policies', epName], ['/tokens', tokenName], ['/silences', reason]]) {
    await p.goto(base + path);
    assert.ok((await p.textContent('main')).includes(text), `${path} shows the whole name`);
  }
});

await step('on a phone the main action of each page is on the first screen', async () => {
  for (const [route, [, path, main]] of Object.entries(pages)) {
    if (!main) continue;
    const p = pageFor('phone', route);
    await p.goto(base + path);
    const box = await p.locator(main).first().boundingBox();
    assert.ok(box, `${path}: ${main} is shown`);
    assert.ok(box.y + box.height <= phone.height, `${path}: ${main} ends at ${Math.round(box.y + box.height)} px, below the first screen`);
  }
});

await step('on a phone the navigation wraps: every link in the screen, none clipped', async () => {
  const p = sessions.phone.S.page;
  await p.goto(base + '/silences');
  const out = await p.evaluate(() => Array.from(document.querySelectorAll('.top a, .top button')).filter((e) => {
    const r = e.getBoundingClientRect();
    return r.left < 0 || r.right > window.innerWidth || r.width === 0;
  }).map((e) => e.textContent.trim()));
  assert.deepEqual(out, [], 'links outside the screen');
  const nav = await p.evaluate(() => { const n = document.querySelector('.nav'); return [n.scrollWidth, n.clientWidth]; });
  assert.ok(nav[0] <= nav[1], `the navigation scrolls (${nav[0]} px in ${nav[1]})`);
});

await step('on a phone a table of class rows is one block per row, each cell labelled', async () => {
  const p = sessions.phone.S.page;
  for (const path of ['/silences', '/tokens', '/status', '/contact-points', '/escalation-policies', `/users/${me.id}/sessions`]) {
    await p.goto(base + path);
    const t = await p.evaluate(() => {
      const rows = Array.from(document.querySelectorAll('table.rows tbody tr'));
      const cells = rows.flatMap((r) => Array.from(r.querySelectorAll('td[data-label]')));
      return {
        rows: rows.length,
        display: rows.length ? getComputedStyle(rows[0]).display : '',
        labels: cells.filter((c) => getComputedStyle(c, '::before').content !== `"${c.dataset.label}"`).length,
        off: cells.filter((c) => c.getBoundingClientRect().right > window.innerWidth).length,
      };
    });
    assert.ok(t.rows > 0, `${path} has rows`);
    assert.equal(t.display, 'block', `${path}: a row is a block`);
    assert.equal(t.labels, 0, `${path}: every cell prints its label`);
    assert.equal(t.off, 0, `${path}: no cell off-screen`);
  }
  // on a desktop the same tables stay tables
  const d = sessions.desktop.S.page;
  await d.goto(base + '/silences');
  assert.equal(await d.evaluate(() => getComputedStyle(document.querySelector('table.rows tbody tr')).display), 'table-row');
});

await step('charts: an accessible name and description, a data table of the samples, text of 11 px or more on a phone', async () => {
  for (const size of ['desktop', 'phone']) {
    const p = sessions[size].S.page;
    for (const path of [`/kpis/${kpiKey}?period=7d`, `/alerts/${alertId}`]) {
      await p.goto(base + path);
      const svg = p.locator('svg.chart');
      assert.equal(await svg.getAttribute('role'), 'img');
      const named = [await svg.getAttribute('aria-label'),
        await p.evaluate((id) => document.getElementById(id)?.textContent || '', await svg.getAttribute('aria-describedby'))];
      assert.ok(named[0].includes(kpiName), `${path}: the title names the KPI`);
      const said = named[1].match(/^(\d+) samples from [\d,]+ USD to 2,600 USD, \d\d \w{3} \d{4} \d\d:\d\d to /);
      assert.ok(said, `${path}: the description says the range: ${named[1]}`);
      // the whole day and night of samples on the KPI's week; fewer around the firing
      if (path.startsWith('/kpis')) assert.equal(said[1], '49');
      // the table: a row per sample, the newest 2,600 USD
      await p.click('.chart-data summary');
      const rows = await p.locator('.chart-data tbody tr').allTextContents();
      assert.equal(rows.length, Number(said[1]), `${path}: a row per sample`);
      assert.match(rows[rows.length - 1], /2,600 USD/);
      assert.ok(await p.locator('.chart-data tbody tr').first().isVisible());
      const small = await p.evaluate(() => Array.from(document.querySelectorAll('svg.chart text')).filter((t) => {
        const r = t.getBoundingClientRect();
        return r.width > 0 && getComputedStyle(t).display !== 'none' &&
          parseFloat(getComputedStyle(t).fontSize) * (t.ownerSVGElement.getBoundingClientRect().width / t.ownerSVGElement.viewBox.baseVal.width) < 11;
      }).map((t) => t.textContent));
      assert.deepEqual(small, [], `${path} at ${size}: chart text under 11 px`);
      const overlap = await p.evaluate(() => {
        const ts = Array.from(document.querySelectorAll('svg.chart text.chart-label')).filter((t) => getComputedStyle(t).display !== 'none')
          .map((t) => t.getBoundingClientRect()).filter((r) => r.width > 0);
        return ts.some((a, i) => ts.some((b, j) => j > i && a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1));
      });
      assert.equal(overlap, false, `${path} at ${size}: chart labels overlap`);
      const clipped = await p.evaluate(() => {
        const box = document.querySelector('svg.chart').getBoundingClientRect();
        return Array.from(document.querySelectorAll('svg.chart text')).filter((t) => getComputedStyle(t).display !== 'none')
          .filter((t) => { const r = t.getBoundingClientRect(); return r.left < box.left - 0.5 || r.right > box.right + 0.5; })
          .map((t) => t.textContent);
      });
      assert.deepEqual(clipped, [], `${path} at ${size}: chart text cut off at the edge`);
      await p.screenshot({ path: `${shots}chart-${path.startsWith('/kpis') ? 'kpi' : 'alert'}-data-${size}.png`, fullPage: true });
    }
  }
});

await step('the HTML mail with the long names fits a 600 px window, and a phone', async () => {
  for (const width of [600, 390]) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled: false });
    const p = await context.newPage();
    await p.setContent(mail);
    assert.ok((await p.textContent('body')).includes(ruleName), 'the mail names the rule');
    await fitsWidth(p, `the alert mail at ${width} px`);
    await p.screenshot({ path: `${shots}mail-alert-${width}.png`, fullPage: true });
    await context.close();
  }
});

for (const { S } of Object.values(sessions)) await S.context.close();
await finish('every-page');
