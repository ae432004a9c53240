// tests/browser/lib.mjs - what every browser test file shares: Debian's
// chromium through playwright-core, named steps that count failures, the
// API as another system uses it, a signed-in session whose dialogs, script
// errors and CSP violations are failures, axe-core, the sideways-scroll
// check and the screenshots folder (build/browser/).
//
// Each tests/browser/NN-*.mjs file is one program run by tests/run.sh in
// its number's order against the same stack (GW_TEST_URL,
// GW_TEST_ADMIN_PASSWORD, GW_TEST_STACK, GW_TEST_BIN).
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';

export const base = process.env.GW_TEST_URL;
export const adminPassword = process.env.GW_TEST_ADMIN_PASSWORD;
export const shots = new URL('../../build/browser/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
export const desktop = { width: 1280, height: 800 };
export const phone = { width: 390, height: 844 };

export const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});

let failures = 0;
export const problems = [];
export async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    console.log(`  ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failures++;
    console.log(`  FAIL ${name}: ${e.message}`);
  }
}

// The API, as another system would use it.
export async function api(method, path, token, body) {
  const r = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}
const login = await fetch(base + '/api/auth/login', {
  method: 'POST', headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ username: 'admin', password: adminPassword }),
});
export const admin = (await login.json()).token;
assert.ok(admin, 'admin API login');

// Records what the page asks the Notification API to show, in window.__notes.
function recordNotifications() {
  window.__notes = [];
  const Real = window.Notification;
  class Recording extends Real {
    constructor(title, o) { super(title, o); window.__notes.push({ title, body: o && o.body }); }
  }
  Object.defineProperty(Recording, 'permission', { get: () => Real.permission });
  window.Notification = Recording;
}

// A browser context signed in through the login form. Every page it opens
// reports dialogs, script errors and CSP violations into problems.
// opts: viewport, bypassCSP (axe needs its script in the page),
// notifications (granted and recorded), javaScriptEnabled.
export async function newSession(user, password, opts = {}) {
  const context = await browser.newContext({ viewport: opts.viewport || { width: 1280, height: 900 },
    bypassCSP: !!opts.bypassCSP, javaScriptEnabled: opts.javaScriptEnabled !== false });
  if (opts.notifications) {
    await context.grantPermissions(['notifications'], { origin: base });
    await context.addInitScript(recordNotifications);
  }
  const page = await context.newPage();
  watch(page);
  await page.goto(base + '/login');
  await page.fill('#username', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(base + '/'), page.click('form.form button[type=submit]')]);
  return { context, page };
}

export function watch(page) {
  page.on('dialog', async (d) => { problems.push(`dialog fired: ${d.message()}`); await d.dismiss(); });
  page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
}

// axe-core on the page as it is now: WCAG 2.0, 2.1 and 2.2 A and AA, and
// axe's best practices. The page's context must bypass the CSP.
export const axeTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
export async function axe(page, what) {
  await page.addScriptTag({ path: new URL('../../node_modules/axe-core/axe.min.js', import.meta.url).pathname });
  const found = await page.evaluate(async (tags) => (await window.axe.run(document, { runOnly: tags }))
    .violations.map((v) => `${v.id}: ${v.nodes.length} (${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')})`), axeTags);
  assert.deepEqual(found, [], `axe finds nothing on ${what}`);
}

// The page does not scroll sideways; when it does, say what sticks out.
export async function fitsWidth(page, what) {
  const w = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth,
    Array.from(document.querySelectorAll('body *')).filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${e.className}`).join(' ')]);
  assert.ok(w[0] <= w[1], `${what} is ${w[0]} px wide on a ${w[1]} px screen (${w[2]})`);
}

// The end of a test file: no page misbehaved, and the exit status says
// whether every step passed.
export async function finish(name) {
  await step('no dialog, script error or CSP violation on any page', async () => {
    assert.deepEqual(problems, []);
  });
  await browser.close();
  if (failures) {
    console.log(`browser ${name}: ${failures} failed`);
    process.exit(1);
  }
  console.log(`browser ${name}: all passed`);
}
