/**
 * Issue 15 in the web app, in Debian's Chromium: the officer's result form marks the field the
 * server names (`discrepancies[0].note`); the result's currency is the declaration's and money keeps
 * its cents; the dashboard's target line stays on its axis, legend swatches match the bars, a day not
 * over is marked as partial; fast on a border-post link (1.5 Mbit/s, 300 ms) with compression and
 * code-split pages; the top bar and the goods table at tablet width (768 px).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWeb } from '../../scripts/ensure-web.mjs';
import { systemClock } from '../../src/core/clock.ts';
import { loadConfig } from '../../src/core/config.ts';
import { schema } from '../../src/db/client.ts';
import { getReferenceData } from '../../src/reference/index.ts';
import { buildApp } from '../../src/server/app.ts';
import { IMMUTABLE } from '../../src/server/compression.ts';
import type { AppDeps } from '../../src/server/deps.ts';
import { WEB_DIST } from '../../src/server/web.ts';
import { validDeclaration } from '../fixtures.ts';
import { DEMO_PASSWORD, hasChromium, launchBrowser, SCREENSHOTS, startCentinela, type Centinela } from './harness.ts';

const POLL = { timeout: 30_000, interval: 100 };
const text = async (l: Locator) => (await l.first().textContent())?.trim();
const run = hasChromium || process.env.CI === 'true';
if (!run) console.log('[centinela tests] /usr/bin/chromium is missing: skipping the browser tests (apt-get install -y chromium)');

/** The border post's link: 1.5 Mbit/s both ways, 300 ms latency. */
const BORDER_POST = { offline: false, latency: 300, downloadThroughput: 1.5e6 / 8, uploadThroughput: 1.5e6 / 8 };
const TIN = '9911223-4';

/** The app as `npm start` builds it, on the same database, with compression on or off (the "before" of a slow link). */
async function startServer(database: Centinela['database'], compression: boolean): Promise<{ url: string; close(): Promise<void> }> {
  const deps: AppDeps = { database, db: database.db, ref: getReferenceData(), clock: systemClock, config: loadConfig({}) };
  const { app } = await buildApp(deps, { compression: { enabled: compression } });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

describe.skipIf(!run)('issue 15 in the web app', () => {
  let c: Centinela;
  let browser: Browser;
  let gtq: { id: string; reference: string; officer: string };
  const contexts: BrowserContext[] = [];

  const login = async (base: string, username: string) => {
    const r = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
    expect(r.status).toBe(200);
    return (await r.json()) as { token: string; expiresAt: string; user: unknown };
  };
  const call = async (token: string, method: string, url: string, body?: unknown) => {
    const r = await fetch(`${c.url}${url}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect(r.status, `${method} ${url}: ${await r.clone().text()}`).toBeLessThan(300);
    return (await r.json()) as any;
  };

  beforeAll(async () => {
    await ensureWeb({ quiet: true });
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    [c, browser] = await Promise.all([startCentinela(), launchBrowser()]);
    // a criterion (written by an analyst, approved by a supervisor) sends this importer's declarations to red
    const analyst = await login(c.url, 'gt.analyst');
    const crit = await call(analyst.token, 'POST', '/api/v1/risk/criteria', { name: 'Importador bajo vigilancia (prueba web)', reason: 'importador señalado por inteligencia', expression: `decl.importer.tin == "${TIN}"`, weight: 50, forcedChannel: 'red' });
    await call(analyst.token, 'POST', `/api/v1/risk/criteria/${crit.id}/submit`);
    const supervisor = await login(c.url, 'gt.supervisor');
    await call(supervisor.token, 'POST', `/api/v1/risk/criteria/${crit.id}/approve`, { note: 'revisado' });
    // a declaration in quetzales from that importer, lodged a few minutes ago
    const d = validDeclaration('GT-WEB-GTQ-1');
    d.lodgedAt = new Date(Date.now() - 4 * 60_000).toISOString();
    d.importer = { tin: TIN, name: 'Importadora Quetzal Vigilada S.A.', country: 'GT' };
    d.items = d.items.map((i: any) => ({ ...i, currency: 'GTQ', customsValue: i.customsValue * 7.8 }));
    const r = await fetch(`${c.url}/api/v1/declarations`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': c.apiKey }, body: JSON.stringify(d) });
    expect(r.status).toBe(201);
    const body = (await r.json()) as any;
    expect(body.assessment.channel).toBe('red');
    const [ctrl] = await c.database.db.select().from(schema.controls).where(eq(schema.controls.declarationId, body.id));
    expect(ctrl?.officerId, 'the red declaration has a control assigned to an officer on duty').toBeTruthy();
    const [u] = await c.database.db.select().from(schema.users).where(eq(schema.users.id, ctrl.officerId!));
    gtq = { id: body.id, reference: body.reference, officer: u.username };
  });

  afterAll(async () => {
    for (const x of contexts) await x.close().catch(() => undefined);
    await browser?.close();
    await c?.close();
  });

  async function newPage(viewport = { width: 1366, height: 900 }, lang: 'es' | 'en' = 'es'): Promise<Page> {
    const ctx = await browser.newContext({ viewport, locale: lang === 'es' ? 'es-GT' : 'en-US', timezoneId: 'America/Guatemala' });
    contexts.push(ctx);
    await ctx.addInitScript((l) => {
      if (!(globalThis as any).localStorage.getItem('centinela.lang')) (globalThis as any).localStorage.setItem('centinela.lang', l);
    }, lang);
    const page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    (page as any).errors = errors;
    return page;
  }

  async function signIn(page: Page, username: string, base = c.url) {
    await page.goto(`${base}/`);
    await page.locator('#username').fill(username);
    await page.locator('#password').fill(DEMO_PASSWORD);
    await page.locator('form button[type=submit]').click();
    await page.locator('.topbar').waitFor();
  }

  const shot = async (page: Page, name: string) => {
    await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };
  const chartReady = (page: Page, id: string) => page.locator(`[data-chart="${id}"] [data-ready="true"]`).first().waitFor();
  /** Runs code on the ECharts instance drawn in a chart (Chart.tsx exposes it on its element), as an expression (the page's CSP forbids eval). */
  const onChart = <R,>(page: Page, id: string, body: string): Promise<R> =>
    page.evaluate(`((chart) => { ${body} })(document.querySelector(${JSON.stringify(`[data-chart="${id}"] [data-ready="true"]`)}).echarts)`) as Promise<R>;
  const yExtent = (page: Page, id: string) => onChart<[number, number]>(page, id, "return chart.getModel().getComponent('yAxis', 0).axis.scale.getExtent();");

  // ------------------------------------------------------------------ A. the broken flows

  it("the officer's result form marks the field the server names, defaults to the declaration's currency, and shows money with its cents", async () => {
    const page = await newPage();
    await signIn(page, gtq.officer);
    await page.goto(`${c.url}/declarations/${gtq.id}`);
    await page.getByTestId('result-form').waitFor();
    // the declaration is in quetzales: so is its result, unless the officer says otherwise
    expect(await page.locator('#r-currency').inputValue()).toBe('GTQ');
    await page.locator('input[name=outcome][value=discrepancy]').check();
    await page.locator('#d-kind-0').selectOption('value');
    await page.locator('#d-line-0').fill('1');
    await page.locator('#r-duties').fill('1250.50');
    // no note: the server answers 400 naming `discrepancies[0].note`; the form marks the note field
    await page.getByTestId('record-result').click();
    await page.getByTestId('result-errors').waitFor();
    await page.locator('[data-testid="error-discrepancies.0.note"]').waitFor({ state: 'visible' });
    expect(await page.locator('#d-note-0').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#d-note-0').getAttribute('aria-describedby')).toBe('r-discrepancies-0-note-error');
    expect(await text(page.getByTestId('result-errors'))).toMatch(/\(1\)/);
    await shot(page, 'es-control-result-field-error');
    await page.locator('#d-note-0').fill('valor en factura por debajo del de referencia');
    await page.getByTestId('record-result').click();
    const result = page.getByTestId('control-result');
    await result.waitFor();
    const shown = (await text(result)) ?? '';
    expect(shown).toMatch(/Q\s?1,250\.50/);
    expect(shown).not.toMatch(/USD/);
    await shot(page, 'es-control-result-gtq');
    expect((page as any).errors).toEqual([]);
  });

  it('a supervisor changes Rojo to Amarillo: the page shows Amarillo at once, says it was changed, and offers Rojo next (not Amarillo again)', async () => {
    const d = validDeclaration('GT-WEB-OVR-1');
    d.lodgedAt = new Date(Date.now() - 3 * 60_000).toISOString();
    d.importer = { tin: TIN, name: 'Importadora Quetzal Vigilada S.A.', country: 'GT' };
    const r = await fetch(`${c.url}/api/v1/declarations`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': c.apiKey }, body: JSON.stringify(d) });
    expect(r.status).toBe(201);
    const body = (await r.json()) as any;
    expect(body.assessment.channel).toBe('red');
    const page = await newPage();
    await signIn(page, 'gt.supervisor');
    await page.goto(`${c.url}/declarations/${body.id}`);
    const badge = () => text(page.getByTestId('assessment').locator('.badge').first());
    await expect.poll(badge, { timeout: 30_000 }).toBe('Rojo');
    const override = async (reason: string) => {
      await page.getByTestId('override').click();
      await page.locator('#s-reason').fill(reason);
      await page.locator('[data-testid="override-form"] button[type=submit]').click();
      await page.getByTestId('confirm-yes').click();
    };
    expect(await page.locator('#o-channel').count()).toBe(0);
    await page.getByTestId('override').click();
    expect(await page.locator('#o-channel').inputValue()).toBe('yellow');
    await page.locator('[data-testid="override-form"] .btn', { hasText: 'Cancelar' }).click();
    await override('revisión documental suficiente para este importador hoy');
    await expect.poll(badge, { timeout: 30_000 }).toBe('Amarillo');
    await page.getByTestId('overridden').waitFor();
    expect(await text(page.getByTestId('overridden'))).toContain('Rojo');
    // the next override starts from Amarillo: Amarillo is not offered, and going back to Rojo works
    await page.getByTestId('override').click();
    const offered = await page.locator('#o-channel option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
    expect(offered).not.toContain('yellow');
    expect(await page.locator('#o-channel').inputValue()).toBe('red');
    await page.locator('#s-reason').fill('inteligencia pide volver a inspección física');
    await page.locator('[data-testid="override-form"] button[type=submit]').click();
    await page.getByTestId('confirm-yes').click();
    await expect.poll(badge, { timeout: 30_000 }).toBe('Rojo');
    expect(await page.locator('.state-error').count()).toBe(0);
    await shot(page, 'es-declaration-override');
    expect((page as any).errors).toEqual([]);
  });

  it('the dashboard: every legend swatch is the colour of its bars', async () => {
    const page = await newPage();
    await signIn(page, 'gt.manager');
    for (const id of ['per-day', 'shares', 'offices', 'hit-rate', 'controls-channel']) await chartReady(page, id);
    const ids = await page.locator('[data-chart] [data-ready="true"]').evaluateAll((els) => els.map((e) => (e.parentElement as any).dataset.chart as string));
    const mismatches: string[] = [];
    for (const id of ids) {
      const found = await onChart<string[]>(
        page,
        id,
        `const out = [];
         if (!chart.getOption().legend || !chart.getOption().legend.length) return out;
         for (const s of chart.getModel().getSeries()) {
           if (s.subType === 'pie') continue; // a pie's legend names its slices, each in its own colour
           const data = s.getData();
           const legend = data.getVisual('style').fill;
           for (let i = 0; i < data.count(); i++) {
             const fill = data.getItemVisual(i, 'style').fill;
             if (String(fill).toLowerCase() !== String(legend).toLowerCase()) out.push(s.name + '[' + i + ']: ' + fill + ' (legend ' + legend + ')');
           }
         }
         return out;`,
      );
      mismatches.push(...found.map((m) => `${id} ${m}`));
    }
    expect(ids.length).toBeGreaterThanOrEqual(5);
    expect(mismatches).toEqual([]);
    expect((page as any).errors).toEqual([]);
  });

  it("the dashboard: the target line stays on the axis when every day is under it; today's partial day is marked, not plotted as a spike", async () => {
    const page = await newPage();
    await signIn(page, 'gt.manager');
    await chartReady(page, 'shares');
    const real: any = await page.evaluate(async () => {
      const s = JSON.parse((globalThis as any).sessionStorage.getItem('centinela.session'));
      return (await fetch('/api/v1/kpi/overview', { headers: { authorization: `Bearer ${s.token}` } })).json();
    });
    const day = (back: number) => new Intl.DateTimeFormat('en-CA', { timeZone: real.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() - back * 86_400_000));
    const counts = (total: number, red: number, yellow: number) => ({ total, red, yellow, blue: 0, unassessed: 0, green: total - red - yellow });
    const overview = (days: { date: string; total: number; red: number; yellow: number; green: number; blue: number; unassessed: number }[]) => {
      const totals = counts(0, 0, 0);
      for (const d of days) for (const k of ['total', 'red', 'yellow', 'green', 'blue', 'unassessed'] as const) totals[k] += d[k];
      return { ...real, from: days[0].date, to: days.at(-1)!.date, targets: { red: 0.05, yellow: 0.15 }, totals, days };
    };
    // every day under 10 %: 3 % red, 6 % yellow, against a yellow target of 15 %
    const quiet = [7, 6, 5, 4, 3, 2, 1].map((b) => ({ date: day(b), ...counts(100, 3, 6) }));
    let serve: unknown = overview(quiet);
    await page.route('**/api/v1/kpi/overview*', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(serve) }));
    await page.reload();
    await chartReady(page, 'shares');
    const [, top] = await yExtent(page, 'shares');
    expect(top, 'the share axis reaches the yellow target (15 %)').toBeGreaterThanOrEqual(15);
    expect(await page.getByTestId('partial-day-note').count()).toBe(0);
    await shot(page, 'es-dashboard-targets-on-axis');

    // the same week and today, not over: 1 red of 4 so far (25 %)
    const today = day(0);
    serve = overview([...quiet, { date: today, ...counts(4, 1, 0) }]);
    await page.reload();
    await chartReady(page, 'shares');
    await chartReady(page, 'per-day');
    await page.getByTestId('partial-day-note').waitFor();
    const [, top2] = await yExtent(page, 'shares');
    expect(top2, 'no 25 % spike on the share axis').toBeLessThan(25);
    expect(top2).toBeGreaterThanOrEqual(15);
    const shares = await onChart<(number | null)[][]>(page, 'shares', 'return chart.getOption().series.map((s) => s.data.map((v) => (v && typeof v === "object" ? v.value : v) ?? null));');
    for (const s of shares) {
      expect(s).toHaveLength(8);
      expect(s[7], "today's share is left out of the line").toBeNull();
      expect(s[6]).not.toBeNull();
    }
    const perDay = await onChart<{ label: string; opacity: number; before: number }>(
      page,
      'per-day',
      `const o = chart.getOption(); const n = o.xAxis[0].data.length; const op = (v) => (v && typeof v === 'object' && v.itemStyle && v.itemStyle.opacity !== undefined ? v.itemStyle.opacity : 1);
       return { label: String(o.xAxis[0].data[n - 1]), opacity: op(o.series[0].data[n - 1]), before: op(o.series[0].data[n - 2]) };`,
    );
    expect(perDay.label).toContain('en curso');
    expect(perDay.opacity).toBeLessThan(perDay.before);
    await shot(page, 'es-dashboard-partial-day');
    await page.locator('#chart-per-day').screenshot({ path: path.join(SCREENSHOTS, 'es-dashboard-partial-day-per-day.png') });
    await page.locator('#chart-shares').screenshot({ path: path.join(SCREENSHOTS, 'es-dashboard-partial-day-shares.png') });
    await page.unroute('**/api/v1/kpi/overview*');
    expect((page as any).errors).toEqual([]);
  });

  // ------------------------------------------------------------------ B. fast on a border-post link

  it('answers compressed (brotli, gzip) with long caching for hashed assets and none for index.html; without compression, plain', async () => {
    const [on, off] = await Promise.all([startServer(c.database, true), startServer(c.database, false)]);
    try {
      const html = fs.readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8');
      const js = /src="(\/assets\/index-[^"]+\.js)"/.exec(html)?.[1];
      expect(js).toBeTruthy();
      const raw = fs.statSync(path.join(WEB_DIST, js!)).size;
      const get = (base: string, url: string, enc: string) => fetch(`${base}${url}`, { headers: { 'accept-encoding': enc } });
      const br = await get(on.url, js!, 'gzip, deflate, br');
      expect(br.headers.get('content-encoding')).toBe('br');
      expect(br.headers.get('cache-control')).toBe(IMMUTABLE);
      expect(br.headers.get('vary') ?? '').toMatch(/accept-encoding/i);
      const brBytes = Number(br.headers.get('content-length'));
      expect(brBytes).toBeGreaterThan(0);
      expect(brBytes).toBeLessThan(raw * 0.5);
      expect((await br.text()).length).toBeGreaterThan(raw * 0.9); // fetch decodes it: the whole file
      const gz = await get(on.url, js!, 'gzip');
      expect(gz.headers.get('content-encoding')).toBe('gzip');
      const plain = await get(off.url, js!, 'gzip, deflate, br');
      expect(plain.headers.get('content-encoding')).toBeNull();
      expect(plain.headers.get('cache-control')).toBe(IMMUTABLE);
      for (const base of [on.url, off.url]) {
        for (const p of ['/', '/queue']) {
          const r = await get(base, p, 'br');
          expect(r.headers.get('content-type')).toMatch(/text\/html/);
          expect(r.headers.get('cache-control')).toBe('no-cache');
        }
      }
      // an API answer: the customs offices of the region, some tens of kB of JSON
      const token = (await login(on.url, 'gt.analyst')).token;
      const api = await fetch(`${on.url}/api/v1/reference/offices`, { headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'br' } });
      expect(api.status).toBe(200);
      expect(api.headers.get('content-encoding')).toBe('br');
      expect(((await api.json()) as { items: unknown[] }).items.length).toBeGreaterThan(10);
      const apiOff = await fetch(`${off.url}/api/v1/reference/offices`, { headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'br' } });
      expect(apiOff.headers.get('content-encoding')).toBeNull();
    } finally {
      await Promise.all([on.close(), off.close()]);
    }
  });

  it('on a border-post link (1.5 Mbit/s, 300 ms) the sign-in form shows in under 3 s and the queue in under 5 s; bytes and times before and after', async () => {
    const [on, off] = await Promise.all([startServer(c.database, true), startServer(c.database, false)]);
    try {
      const session = await login(on.url, 'gt.analyst');
      /** One cold visit (empty cache) on the throttled link: the time to the first useful screen and the bytes that crossed the link. */
      const visit = async (base: string, url: string, ready: (p: Page) => Promise<unknown>, signedIn: boolean) => {
        const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'es-GT', timezoneId: 'America/Guatemala' });
        contexts.push(ctx);
        await ctx.addInitScript(
          ([s, signed]) => {
            (globalThis as any).localStorage.setItem('centinela.lang', 'es');
            if (signed) (globalThis as any).sessionStorage.setItem('centinela.session', s);
          },
          [JSON.stringify(session), signedIn] as const,
        );
        const page = await ctx.newPage();
        page.setDefaultTimeout(30_000);
        const cdp = await ctx.newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', BORDER_POST);
        let bytes = 0;
        let requests = 0;
        cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => {
          bytes += e.encodedDataLength;
          requests++;
        });
        const t0 = performance.now();
        await page.goto(`${base}${url}`, { waitUntil: 'commit' });
        await ready(page);
        const ms = Math.round(performance.now() - t0);
        await page.waitForLoadState('networkidle').catch(() => undefined);
        await ctx.close();
        return { ms, kB: Math.round(bytes / 102.4) / 10, requests };
      };
      const signInForm = (p: Page) => p.locator('#username').waitFor({ state: 'visible' });
      const queue = (p: Page) => p.locator('[data-testid="queue-table"] tbody tr').first().waitFor({ state: 'visible' });
      const before = { signIn: await visit(off.url, '/', signInForm, false), queue: await visit(off.url, '/queue', queue, true) };
      const after = { signIn: await visit(on.url, '/', signInForm, false), queue: await visit(on.url, '/queue', queue, true) };
      console.log(
        `[web-fixes] border-post link (1.5 Mbit/s, 300 ms), cold cache:\n` +
          `  sign-in form  before (no compression): ${before.signIn.ms} ms, ${before.signIn.kB} kB in ${before.signIn.requests} requests;  after: ${after.signIn.ms} ms, ${after.signIn.kB} kB in ${after.signIn.requests} requests\n` +
          `  queue         before (no compression): ${before.queue.ms} ms, ${before.queue.kB} kB in ${before.queue.requests} requests;  after: ${after.queue.ms} ms, ${after.queue.kB} kB in ${after.queue.requests} requests`,
      );
      expect(after.signIn.kB).toBeLessThan(before.signIn.kB * 0.5);
      expect(after.queue.kB).toBeLessThan(before.queue.kB * 0.5);
      expect(after.signIn.ms, 'sign-in form on the border-post link').toBeLessThan(3000);
      expect(after.queue.ms, 'queue on the border-post link').toBeLessThan(5000);
    } finally {
      await Promise.all([on.close(), off.close()]);
    }
  });

  // ------------------------------------------------------------------ C. tablet

  it('at 768 px: the name and role stay in the top bar; the goods table reflows (no horizontal scroll)', async () => {
    const page = await newPage({ width: 768, height: 1024 });
    await signIn(page, 'gt.analyst');
    const name = page.locator('.topbar .user-name');
    const role = page.locator('.topbar .user-role');
    await expect.poll(() => name.isVisible(), POLL).toBe(true);
    expect(await role.isVisible()).toBe(true);
    expect(await text(role)).toBe('Analista de riesgo');
    for (const l of [name, role]) {
      const box = (await l.boundingBox())!;
      expect(box.width).toBeGreaterThan(20);
      expect(box.x + box.width).toBeLessThanOrEqual(768);
    }
    for (const id of ['per-day', 'shares']) await chartReady(page, id);
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
    await shot(page, 'es-dashboard-tablet');
    await page.goto(`${c.url}/declarations/${gtq.id}`);
    await expect.poll(() => page.locator('[data-testid="items-table"] tbody tr').count(), POLL).toBe(2);
    await expect.poll(() => text(page.locator('.hs-desc').first()), POLL).not.toBe('…');
    const table = page.getByTestId('items-table');
    const fit = await table.evaluate((t) => {
      const wrap = t.parentElement!;
      return { wrapScroll: wrap.scrollWidth, wrapWidth: wrap.clientWidth, page: (globalThis as any).document.documentElement.scrollWidth };
    });
    expect(fit.wrapScroll, 'the goods table needs no horizontal scroll').toBeLessThanOrEqual(fit.wrapWidth);
    expect(fit.page).toBeLessThanOrEqual(768);
    // each goods line is a card: its cells under their column's name
    const label = await page.locator('[data-testid="items-table"] tbody td').nth(8).evaluate((td) => (globalThis as any).getComputedStyle(td, '::before').content);
    expect(label).toBe('"Valor"');
    expect(await name.isVisible()).toBe(true);
    await shot(page, 'es-declaration-tablet');
    await page.goto(`${c.url}/queue`);
    await page.locator('[data-testid="queue-table"] tbody tr').first().waitFor();
    expect(await name.isVisible()).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'es-queue-tablet-user.png') }); // the screen as seen: the list is long
    // in English too
    await page.getByTestId('lang-toggle').click();
    await page.goto(`${c.url}/declarations/${gtq.id}`);
    await expect.poll(() => text(role), POLL).toBe('Risk analyst');
    await expect.poll(() => text(page.locator('.hs-desc').first()), POLL).not.toBe('…');
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
    await shot(page, 'en-declaration-tablet');
    expect((page as any).errors).toEqual([]);
  });
});
