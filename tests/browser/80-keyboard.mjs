// tests/browser/80-keyboard.mjs - the staff pages with the keyboard only,
// at 1280x800 and 390x844: sign in (Tab, typing, Enter), acknowledge an
// alert from its page with a note, the focus visible on every element the
// dashboard's Tab order reaches, and the focus ring on the dark header at
// 3:1 or more against the header and against the page (WCAG 2.4.11,
// 1.4.11). (Creating a rule and the bulk acknowledge by keyboard are in
// the files of those features.)
import assert from 'node:assert/strict';
import { base, adminPassword, browser, step, api, admin, watch, finish, desktop, phone, shots } from './lib.mjs';

const run = Date.now().toString(36).slice(-6);

// An open alert of its own (a KPI and a rule named for this file and run).
async function openAlert(tag) {
  const key = `k8_${tag}_${run}`;
  assert.equal((await api('POST', '/api/kpis', admin, { key, name: `Keyboard ${tag} ${run}`, category: 'operational' })).status, 201);
  const rule = await api('POST', '/api/alerts/rules', admin, { name: `Keyboard ${tag} ${run}`, kpi: key, condition: 'gt',
    threshold: 1, severity: 'warning' });
  assert.equal(rule.status, 201, JSON.stringify(rule.json));
  assert.equal((await api('POST', `/api/kpis/${key}/samples`, admin, { value: 5, evaluate: false })).status, 201);
  const ev = await api('POST', '/api/alerts/evaluate', admin, { rule_ids: [rule.json.id] });
  return ev.json.fired[0].id;
}

// Presses Tab until what has the focus satisfies test (in the page); fails after max presses.
async function tabTo(p, test, what, max = 150) {
  for (let i = 0; i < max; i++) {
    await p.keyboard.press('Tab');
    if (await p.evaluate(test)) return;
  }
  throw new Error(`${what}: not reached with ${max} presses of Tab`);
}

// WCAG's contrast ratio of two computed colours ("rgb(r, g, b)").
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => v / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m);
  return (x + 0.05) / (y + 0.05);
}

for (const [size, viewport] of Object.entries({ desktop, phone })) {
  const context = await browser.newContext({ viewport });
  const p = await context.newPage();
  watch(p);

  await step(`${size}: sign in with the keyboard only`, async () => {
    await p.goto(base + '/login');
    assert.equal(await p.evaluate(() => document.activeElement.id), 'username', 'the user name has the focus');
    await p.keyboard.type('admin');
    await p.keyboard.press('Tab');
    assert.equal(await p.evaluate(() => document.activeElement.id), 'password');
    await p.keyboard.type(adminPassword);
    await Promise.all([p.waitForURL(base + '/'), p.keyboard.press('Enter')]);
    assert.equal(await p.textContent('[data-testid=current-user]'), 'admin');
  });

  await step(`${size}: the focus ring on the dark header keeps 3:1 against the header and the page`, async () => {
    await p.goto(base + '/');
    await tabTo(p, () => !!document.activeElement.closest('.nav'), 'a header link');
    const c = await p.evaluate(() => {
      const e = document.activeElement, s = getComputedStyle(e);
      return { visible: e.matches(':focus-visible'), style: s.outlineStyle, width: parseFloat(s.outlineWidth), colour: s.outlineColor,
        header: getComputedStyle(document.querySelector('.top')).backgroundColor, page: getComputedStyle(document.body).backgroundColor };
    });
    assert.ok(c.visible, 'the link matches :focus-visible');
    assert.notEqual(c.style, 'none');
    assert.ok(c.width >= 2, `the outline is ${c.width} px`);
    assert.ok(contrast(c.colour, c.header) >= 3, `${c.colour} on the header ${c.header}: ${contrast(c.colour, c.header).toFixed(2)}:1`);
    assert.ok(contrast(c.colour, c.page) >= 3, `${c.colour} on the page ${c.page}: ${contrast(c.colour, c.page).toFixed(2)}:1`);
    await p.screenshot({ path: `${shots}focus-header-${size}.png` });
  });

  await step(`${size}: every element the dashboard's Tab order reaches shows the focus`, async () => {
    await p.goto(base + '/');
    await p.evaluate(() => document.activeElement && document.activeElement.blur());
    const seen = [];
    for (let i = 0; i < 800; i++) {
      await p.keyboard.press('Tab');
      const f = await p.evaluate(() => {
        const e = document.activeElement;
        if (!e || e === document.body) return null;
        const s = getComputedStyle(e);
        const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
        if (!e.dataset.c8) e.dataset.c8 = String(document.querySelectorAll('[data-c8]').length + 1);
        return { id: e.dataset.c8, ring, what: `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} "${(e.textContent || e.value || '').trim().slice(0, 30)}"` };
      });
      if (!f || seen.some((x) => x.id === f.id)) break;
      seen.push(f);
    }
    assert.ok(seen.length >= 8, `${seen.length} elements reached`);
    assert.deepEqual(seen.filter((f) => !f.ring).map((f) => f.what), [], 'focused without a visible ring');
  });

  await step(`${size}: acknowledge an alert from its page with the keyboard only, with a note`, async () => {
    const id = await openAlert(size);
    await p.goto(base + `/alerts/${id}`);
    await tabTo(p, () => document.activeElement.name === 'note' && !!document.activeElement.closest('form[action$="/acknowledge"]'),
      'the note of the acknowledge form');
    await p.keyboard.type(`seen by keyboard ${size}`);
    await tabTo(p, () => document.activeElement.matches('form[action$="/acknowledge"] button[type=submit]') &&
      /Acknowledge/.test(document.activeElement.textContent), 'the Acknowledge button', 10);
    await p.keyboard.press('Enter');
    let a;
    for (let i = 0; i < 50; i++) {
      a = (await api('GET', `/api/alerts/${id}`, admin)).json;
      if (a.state === 'acknowledged') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(a.state, 'acknowledged');
    assert.equal(a.acknowledged_by, 'admin');
    assert.match(JSON.stringify(a), new RegExp(`seen by keyboard ${size}`), 'the note was kept');
    await p.waitForLoadState('load');
    assert.match(await p.textContent('#alert-state'), /acknowledged/);
  });
  await context.close();
}

await finish('keyboard');
