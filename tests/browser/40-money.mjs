// tests/browser/40-money.mjs - the shop's currency and gold unit in the
// browser: goldwatch-api restarted with GOLDWATCH_CURRENCY=KWD and
// GOLDWATCH_WEIGHT_UNIT=tola (the rest of the stack as it is), a KPI page
// shows gold in tola and its price in KWD per tola with three decimals, in
// its figures and its chart; the rule form takes a threshold in tola,
// stores grams and shows tola again, the rules list says tola; at desktop
// and phone size. At the end the API runs again as the other files expect
// (USD, grams). Fixtures are named m40_*.
//
//   node tests/browser/40-money.mjs   (GW_TEST_URL, GW_TEST_ADMIN_PASSWORD, GW_TEST_STACK, GW_TEST_BIN set by tests/run.sh)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { base, adminPassword, shots, step, api, admin, newSession, axe, fitsWidth, finish, desktop, phone } from './lib.mjs';

const top = new URL('../../', import.meta.url).pathname;
// goldwatch-api stopped and started again with extra settings (none: the stack's own).
function restartApi(extra) {
  const env = { ...process.env, STACK_QUIET: '1', BUILD: process.env.GW_TEST_BIN, ...extra };
  for (const cmd of ['api-stop', 'api-start'])
    execFileSync(`${top}scripts/stack.sh`, [cmd, process.env.GW_TEST_STACK], { env, stdio: 'ignore' });
}

restartApi({ GOLDWATCH_CURRENCY: 'KWD', GOLDWATCH_WEIGHT_UNIT: 'tola' });
try {
  await api('POST', '/api/kpis', admin, { key: 'm40_gold', name: 'M40 gold in the safe', category: 'operational', unit: 'g' });
  await api('POST', '/api/kpis', admin, { key: 'm40_price', name: 'M40 gold price', category: 'financial', unit: 'USD/g' });
  const now = Date.now();
  // 12 hours of samples: the safe from 150 g down to 116.638038 g (10 tola); 20.5 per gram
  for (let i = 0; i < 12; i++) {
    const at = new Date(now - (11 - i) * 3600e3).toISOString();
    const grams = i === 11 ? 116.638038 : 150 - i * 3;
    assert.equal((await api('POST', '/api/kpis/m40_gold/samples', admin, { value: grams, at, evaluate: false })).status, 201);
    assert.equal((await api('POST', '/api/kpis/m40_price/samples', admin, { value: 20.5 + i * 0.01, at, evaluate: false })).status, 201);
  }

  await step('the API names the currency and keeps grams, with the unit pages show', async () => {
    const k = (await api('GET', '/api/kpis/m40_price', admin)).json;
    assert.equal(k.unit, 'KWD/g');
    assert.equal(k.display_unit, 'KWD/tola');
    const g = (await api('GET', '/api/kpis/m40_gold', admin)).json;
    assert.equal(g.unit, 'g');
    assert.equal(g.display_unit, 'tola');
  });

  for (const [size, name] of [[desktop, 'desktop'], [phone, 'phone']]) {
    await step(`KPI pages in tola and KWD per tola, figures and chart (${name})`, async () => {
      const S = await newSession('admin', adminPassword, { viewport: size, bypassCSP: true });
      const p = S.page;
      await p.goto(base + '/kpis/m40_gold');
      assert.match(await p.textContent('main'), /Latest\s*10 tola\b/);
      assert.equal(await p.locator('svg .chart-unit').first().textContent(), 'tola');
      await axe(p, `a KPI page in tola (${name})`);
      await fitsWidth(p, `a KPI page in tola (${name})`);
      await p.screenshot({ path: `${shots}money-kpi-tola-${name}.png`, fullPage: true });
      await p.goto(base + '/kpis/m40_price');
      // 20.61 KWD per gram is 240.390996 KWD per tola: three decimals
      assert.match(await p.textContent('main'), /240\.391 KWD\/tola/);
      assert.equal(await p.locator('svg .chart-unit').first().textContent(), 'KWD/tola');
      await p.screenshot({ path: `${shots}money-kpi-price-${name}.png`, fullPage: true });
      await S.context.close();
    });
  }

  await step('the rule form takes a threshold in tola, stores grams and shows tola again', async () => {
    const S = await newSession('admin', adminPassword, { viewport: desktop });
    const p = S.page;
    await p.goto(base + '/rules/new');
    await p.fill('#name', 'M40 safe below 20 tola');
    await p.selectOption('#kpi', 'm40_gold');
    await p.selectOption('#condition', 'lt');
    await p.fill('#threshold', '20');
    await p.fill('#recipients', 'owner@shop.example');
    await Promise.all([p.waitForURL(/\/rules\/\d+$/), p.click('#rule-form button[type=submit]')]);
    const id = Number(new URL(p.url()).pathname.split('/').pop());
    const rule = (await api('GET', `/api/alerts/rules/${id}`, admin)).json;
    assert.ok(Math.abs(rule.threshold - 233.276076) < 1e-6, `stored ${rule.threshold} g`);
    assert.equal(await p.inputValue('#threshold'), '20');
    await p.goto(base + '/rules');
    assert.match(await p.textContent('main'), /below 20 tola/);
    const ev = await api('POST', '/api/alerts/evaluate', admin, { rule_ids: [id] });
    assert.equal(ev.json.fired.length, 1, JSON.stringify(ev.json));
    assert.equal(ev.json.fired[0].message, 'M40 gold in the safe is 10 tola, below the threshold of 20 tola.');
    await p.goto(`${base}/alerts/${ev.json.fired[0].id}`);
    assert.match(await p.textContent('main'), /10 tola/);
    await p.screenshot({ path: `${shots}money-alert-tola-desktop.png`, fullPage: true });
    // leave nothing firing or enabled for the other files
    await api('DELETE', `/api/alerts/rules/${id}`, admin);
    await S.context.close();
  });
} finally {
  restartApi({});
}

await step('the API is back to the stack\'s own units', async () => {
  assert.equal((await api('GET', '/api/kpis/revenue_today', admin)).json.unit, 'USD');
  assert.equal((await api('GET', '/api/kpis/m40_gold', admin)).json.display_unit, 'g');
});

await finish('40-money');
