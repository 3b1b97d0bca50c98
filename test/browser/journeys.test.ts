/**
 * The web application in Debian's Chromium: the main journeys of part 1 (sign-in, dashboard,
 * selectivity queue and a declaration, language, transit monitor, keyboard-only use), with a
 * screenshot of every screen in Spanish and in English under test-results/screenshots/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWeb } from '../../scripts/ensure-web.mjs';
import { eq } from 'drizzle-orm';
import { schema } from '../../src/db/client.ts';
import { validDeclaration } from '../fixtures.ts';
import { DEMO_PASSWORD, hasChromium, launchBrowser, SCREENSHOTS, startCentinela, type Centinela } from './harness.ts';

const POLL = { timeout: 30_000, interval: 100 };
/** the trimmed text of the first element (waits for it) */
const text = async (l: Locator) => (await l.first().textContent())?.trim();

const run = hasChromium || process.env.CI === 'true';
if (!run) console.log('[centinela tests] /usr/bin/chromium is missing: skipping the browser tests (apt-get install -y chromium)');

describe.skipIf(!run)('web application in Chromium', () => {
  let c: Centinela;
  let browser: Browser;
  let posted: { id: string; reference: string; channel: string; reasons: { code: string }[] };
  let movementId: string;

  beforeAll(async () => {
    await ensureWeb({ quiet: true });
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    [c, browser] = await Promise.all([startCentinela(), launchBrowser()]);
    // a national system posts a declaration, lodged a few minutes ago
    const d = validDeclaration('GT-WEB-0001');
    d.lodgedAt = new Date(Date.now() - 5 * 60_000).toISOString();
    d.importer = { tin: '7788990-1', name: 'Comercial Web Prueba S.A.', country: 'GT' };
    const r = await fetch(`${c.url}/api/v1/declarations`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': c.apiKey }, body: JSON.stringify(d) });
    expect(r.status).toBe(201);
    const body = (await r.json()) as any;
    posted = { id: body.id, reference: body.reference, channel: body.assessment.channel, reasons: body.assessment.reasons };
  });

  afterAll(async () => {
    await browser?.close();
    await c?.close();
  });

  async function newPage(lang: 'es' | 'en' = 'es', viewport = { width: 1366, height: 900 }): Promise<Page> {
    const ctx = await browser.newContext({ viewport, locale: lang === 'es' ? 'es-GT' : 'en-US', timezoneId: 'America/Guatemala' });
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

  async function signIn(page: Page, username: string) {
    await page.goto(`${c.url}/`);
    await page.locator('#username').fill(username);
    await page.locator('#password').fill(DEMO_PASSWORD);
    await page.locator('form button[type=submit]').click();
    await page.locator('.topbar').waitFor();
  }

  const shot = async (page: Page, name: string) => {
    await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };
  /** The compliance chart exists only when random controls in the period have results (it depends on the day the data was drawn). */
  const complianceReady = async (page: Page) => {
    if (await page.locator('#chart-compliance').count()) await chartReady(page, 'compliance');
  };
  const chartReady = (page: Page, id: string) => page.locator(`[data-chart="${id}"] [data-ready="true"], [data-chart="${id}"][data-ready="true"]`).first().waitFor();

  it('signs in, refuses a wrong password with the server\'s reason, and signs out', async () => {
    const page = await newPage('es');
    await page.goto(`${c.url}/`);
    await expect.poll(() => text(page.locator('h1')), POLL).toBe('Iniciar sesión');
    await page.locator('#username').fill('gt.analyst');
    await page.locator('#password').fill('wrong password');
    await page.locator('form button[type=submit]').click();
    await page.locator('#login-error').waitFor();
    expect((await page.locator('#login-error').textContent())?.length).toBeGreaterThan(5);
    await signIn(page, 'gt.analyst');
    expect(await page.evaluate(() => !!(globalThis as any).sessionStorage.getItem('centinela.session'))).toBe(true);
    await page.getByTestId('sign-out').click();
    await page.locator('#username').waitFor();
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('centinela.session'))).toBeNull();
    expect((page as any).errors).toEqual([]);
  });

  it('shows each role what it may use', async () => {
    const officer = await newPage('es');
    await signIn(officer, 'gt.officer1');
    await officer.waitForURL(/\/controls$/);
    const links = await officer.locator('.mainnav a').allTextContents();
    expect(links).toEqual(['Controles', 'Selectividad', 'Tránsito', 'Operadores', 'Inteligencia regional']);
    const manager = await newPage('es');
    await signIn(manager, 'gt.manager');
    expect(await manager.locator('.mainnav a').allTextContents()).toEqual(['Panel', 'Selectividad', 'Criterios', 'Tránsito', 'Operadores', 'Auditoría', 'Casos de auditoría', 'Cooperación regional']);
  });

  it('the dashboard shows its charts', async () => {
    const page = await newPage('es');
    await signIn(page, 'gt.manager');
    await expect.poll(() => text(page.locator('h1')), POLL).toBe('Panel de indicadores');
    for (const id of ['per-day', 'shares', 'offices', 'mix', 'alerts']) await chartReady(page, id);
    expect(await page.locator('[data-chart] canvas').count()).toBeGreaterThanOrEqual(5);
    expect(Number((await page.locator('.tile-value').first().textContent())!.replace(/\D/g, ''))).toBeGreaterThan(0);
    await shot(page, 'es-dashboard');
  });

  it('a declaration posted to the API shows up in the queue; its page shows its channel and reasons', async () => {
    const page = await newPage('es');
    await signIn(page, 'gt.analyst');
    await page.locator('.mainnav a', { hasText: 'Selectividad' }).click();
    const row = page.locator(`tr[data-reference="${posted.reference}"]`);
    await row.waitFor();
    const channelEs = { green: 'Verde', yellow: 'Amarillo', red: 'Rojo', blue: 'Azul' }[posted.channel]!;
    await expect.poll(() => text(row.locator('.badge')), POLL).toBe(channelEs);
    await shot(page, 'es-queue');
    // filter by the trader: only its declaration is left
    await page.locator('#f-trader').fill('7788990-1');
    await page.locator('#f-trader').press('Enter');
    await page.waitForURL(/trader=7788990-1/);
    await expect.poll(() => (page.locator('[data-testid="queue-table"] tbody tr')).count(), POLL).toBe(1);
    await row.locator('a', { hasText: posted.reference }).click();
    await expect.poll(() => text(page.locator('h1')), POLL).toBe(`Declaración ${posted.reference}`);
    const assessment = page.getByTestId('assessment');
    await expect.poll(() => text(assessment.locator('.badge').first()), POLL).toBe(channelEs);
    for (const r of posted.reasons) await (assessment.locator(`[data-reason="${r.code}"]`)).waitFor({ state: 'visible' });
    await expect.poll(() => (page.locator('[data-testid="items-table"] tbody tr')).count(), POLL).toBe(2);
    await expect.poll(() => text(page.locator('.hs-desc').first()), POLL).not.toBe('…');
    await (page.locator('#history .timeline li').first()).waitFor({ state: 'visible' });
    await shot(page, 'es-declaration');
    // its importer's page
    await page.locator('.party', { hasText: 'Comercial Web Prueba' }).getByRole('link').click();
    await expect.poll(() => text(page.locator('h1')), POLL).toBe('Comercial Web Prueba S.A.');
    await chartReady(page, 'trader-mix');
    await shot(page, 'es-trader');
  });

  it('the transit monitor shows the map and the alert; a movement shows its journey across borders', async () => {
    const page = await newPage('es');
    await signIn(page, 'gt.analyst');
    await page.locator('.mainnav a', { hasText: 'Tránsito' }).click();
    await chartReady(page, 'map');
    const alert = page.locator('[data-testid="alert-list"] li[data-kind="seal_tampered"]', { hasText: 'TRGT-WEB-1' });
    await (alert).waitFor({ state: 'visible' });
    await expect.poll(() => text(alert.locator('.badge')), POLL).toBe('Crítica');
    await shot(page, 'es-transit');
    await alert.getByRole('link').click();
    await page.waitForURL(/\/transit\/movements\//);
    movementId = page.url().split('/').pop()!;
    await expect.poll(() => text(page.locator('h1')), POLL).toBe('Tránsito GT/TRGT-WEB-1');
    const journey = page.getByTestId('journey');
    await expect.poll(() => (journey.locator('[data-office="GTPRQ"]')).getAttribute('data-state'), POLL).toBe('seen');
    await expect.poll(() => (journey.locator('[data-office="SV0HA"]')).getAttribute('data-state'), POLL).toBe('seen');
    await expect.poll(() => (journey.locator('[data-office="HNSLO"]')).getAttribute('data-state'), POLL).toBe('pending');
    await expect.poll(() => (page.locator('[data-testid="events-table"] tbody tr')).count(), POLL).toBe(5);
    await chartReady(page, 'map');
    await shot(page, 'es-movement');
  });

  it('switches to English in one click and keeps the choice; every screen in English', async () => {
    const page = await newPage('es');
    await signIn(page, 'gt.supervisor');
    await page.getByTestId('lang-toggle').click();
    await expect.poll(() => text(page.locator('.mainnav a').first()), POLL).toBe('Dashboard');
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.lang)).toBe('en');
    await page.reload();
    await expect.poll(() => text(page.locator('h1')), POLL).toBe('Indicators');
    for (const id of ['per-day', 'shares', 'offices', 'mix', 'alerts']) await chartReady(page, id);
    await shot(page, 'en-dashboard');
    await page.goto(`${c.url}/queue`);
    await page.locator(`tr[data-reference="${posted.reference}"]`).waitFor();
    await shot(page, 'en-queue');
    await page.goto(`${c.url}/declarations/${posted.id}`);
    await expect.poll(() => text(page.locator('h1')), POLL).toBe(`Declaration ${posted.reference}`);
    await expect.poll(() => text(page.locator('.hs-desc').first()), POLL).not.toBe('…');
    await shot(page, 'en-declaration');
    await page.goto(`${c.url}/traders/7788990-1`);
    await chartReady(page, 'trader-mix');
    await shot(page, 'en-trader');
    await page.goto(`${c.url}/transit`);
    await chartReady(page, 'map');
    await expect.poll(() => text(page.locator('[data-testid="alert-list"] li[data-kind="seal_tampered"]').first()), POLL).toContain('Seal tampered');
    await shot(page, 'en-transit');
    await page.goto(`${c.url}/transit/movements/${movementId}`);
    await expect.poll(() => text(page.locator('h1')), POLL).toBe('Transit GT/TRGT-WEB-1');
    await chartReady(page, 'map');
    await shot(page, 'en-movement');
    await page.getByTestId('sign-out').click();
    await expect.poll(() => text(page.locator('h1')), POLL).toBe('Sign in');
    await shot(page, 'en-sign-in');
    expect((page as any).errors).toEqual([]);
  });

  it('signs in and moves around with the keyboard alone; focus is visible; works at tablet width', async () => {
    const page = await newPage('es', { width: 768, height: 1024 });
    await page.goto(`${c.url}/`);
    await shot(page, 'es-sign-in');
    await page.keyboard.press('Tab'); // language
    await page.keyboard.press('Tab'); // username
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('username');
    await page.keyboard.type('gt.analyst');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('password');
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
    await expect.poll(() => text(page.locator('h1')), POLL).toBe('Panel de indicadores');
    // on arriving at a page, the first Tab reaches the skip link, which is then shown, and takes focus to the content
    await page.reload();
    await page.locator('h1').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => { const a = (globalThis as any).document.activeElement; return `${a?.tagName}.${a?.className}`; })).toBe('A.skip-link');
    const box = await page.locator('.skip-link').boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.id || (globalThis as any).location.hash)).toMatch(/main/);
    // through the navigation by keyboard, with a visible focus ring
    await page.locator('.brand-link').focus();
    let outline = '';
    for (let i = 0; i < 6 && !outline; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => ({ text: (globalThis as any).document.activeElement?.textContent, outline: (globalThis as any).getComputedStyle((globalThis as any).document.activeElement!).outlineStyle }));
      if (focused.text === 'Selectividad') {
        expect(focused.outline).not.toBe('none');
        outline = focused.outline;
      }
    }
    expect(outline).not.toBe('');
    await page.keyboard.press('Enter');
    await expect.poll(() => text(page.locator('h1')), POLL).toBe('Cola de selectividad');
    await page.locator(`tr[data-reference="${posted.reference}"]`).waitFor();
    // nothing wider than the tablet's screen but the tables, which scroll in their own box
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
    await shot(page, 'es-queue-tablet');
  });

  // ------------------------------------------------------------------ part 2: the risk engine's screens

  const CRITERION = 'Cigarrillos de zona libre (prueba web)';
  let criterionId = '';
  let redDecl: { id: string; reference: string } = { id: '', reference: '' };
  let officerUser = '';
  const timings: Record<string, number> = {};
  const timed = async (name: string, f: () => Promise<void>) => {
    const t0 = performance.now();
    await f();
    timings[name] = Math.round(performance.now() - t0);
  };

  it('an analyst writes a criterion, sees a CEL error while typing and fixes it, runs a backtest, submits; four eyes refuse the author', async () => {
    await timed('analyst writes, backtests, submits, is refused', async () => {
      const page = await newPage('es');
      await signIn(page, 'gt.analyst');
      await page.locator('.mainnav a', { hasText: 'Criterios' }).click();
      await page.getByTestId('criteria-table').waitFor();
      await page.locator('[data-testid="criteria-table"] [data-testid="hit-rate"]').first().waitFor();
      await shot(page, 'es-criteria');
      await page.getByTestId('new-criterion').click();
      await expect.poll(() => text(page.locator('h1')), POLL).toBe('Nuevo criterio de riesgo');
      await page.locator('#c-name').fill(CRITERION);
      await page.locator('#c-reason').fill('cigarrillos declarados desde Panamá o China suelen ser contrabando');
      // a typo while typing: the field is underlined where the fault is, with a suggestion
      await page.locator('#c-expression').pressSequentially('decl.type == "IM" && decl.items.exists(i, i.hsCode.startsWith("2402") && i.origen in ["PA", "CN"])', { delay: 2 });
      await page.getByTestId('cel-problem').waitFor();
      expect(await text(page.getByTestId('cel-fault'))).toBe('origen');
      expect(await text(page.getByTestId('cel-problem'))).toMatch(/línea 1, columna \d+/);
      expect(await text(page.getByTestId('cel-suggestion'))).toBe('origin');
      expect(await page.locator('#c-expression').getAttribute('aria-invalid')).toBe('true');
      await shot(page, 'es-criterion-editor-error');
      await page.getByTestId('cel-suggestion').click();
      await expect.poll(() => page.getByTestId('cel-status').getAttribute('data-state'), POLL).toBe('ok');
      await page.locator('#c-weight').fill('50');
      await page.locator('#c-forced').selectOption('red');
      await page.getByTestId('run-backtest').click();
      await page.getByTestId('backtest-result').waitFor();
      expect(await text(page.getByTestId('bt-labels'))).toMatch(/Resultados de control|Verdad del simulador/);
      await shot(page, 'es-criterion-editor-backtest');
      await page.getByTestId('save-submit').click();
      await page.waitForURL(/\/criteria\/[0-9a-f-]{36}$/);
      criterionId = page.url().split('/').pop()!;
      await expect.poll(() => text(page.locator('.page-header .badge')), POLL).toBe('En espera de aprobación');
      // four eyes: the author may not approve
      await page.getByTestId('approve').click();
      await page.getByTestId('confirm-decision').click();
      await page.getByTestId('four-eyes').waitFor();
      expect(await text(page.getByTestId('four-eyes'))).toMatch(/four eyes: you wrote version 1/);
      expect(await text(page.locator('.page-header .badge'))).toBe('En espera de aprobación');
      await shot(page, 'es-criterion-four-eyes');
      expect((page as any).errors).toEqual([]);
    });
  });

  it('a supervisor approves it; a declaration posted with an API key that matches goes red naming the criterion', async () => {
    await timed('supervisor approves; API declaration goes red', async () => {
      const page = await newPage('es');
      await signIn(page, 'gt.supervisor');
      await page.goto(`${c.url}/criteria/${criterionId}`);
      await page.getByTestId('approve').click();
      await page.locator('#decision-note').fill('revisado: decomisos del año pasado');
      await page.getByTestId('confirm-decision').click();
      await page.getByTestId('decision-done').waitFor();
      await expect.poll(() => text(page.locator('.page-header .badge')), POLL).toBe('Activo');
      await expect.poll(() => page.locator('[data-testid="versions-table"] tbody tr').count(), POLL).toBe(1);
      await shot(page, 'es-criterion');

      const d = validDeclaration('GT-WEB-TAB-1');
      d.lodgedAt = new Date(Date.now() - 3 * 60_000).toISOString();
      d.importer = { tin: '5566778-9', name: 'Distribuidora Humo S.A.', country: 'GT' };
      d.items = [{ line: 1, hsCode: '240220', description: 'Cigarrillos', origin: 'PA', quantity: 500, unit: 'KGM', netMassKg: 500, grossMassKg: 540, customsValue: 9000, currency: 'USD', dutyRate: 15 }];
      const r = await fetch(`${c.url}/api/v1/declarations`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': c.apiKey }, body: JSON.stringify(d) });
      expect(r.status).toBe(201);
      const body = (await r.json()) as any;
      expect(body.assessment.channel).toBe('red');
      expect(body.assessment.reasons.map((x: any) => x.text).join(' ')).toContain(CRITERION);
      redDecl = { id: body.id, reference: body.reference };
      const [ctrl] = await c.database.db.select().from(schema.controls).where(eq(schema.controls.declarationId, body.id));
      const [u] = await c.database.db.select().from(schema.users).where(eq(schema.users.id, ctrl.officerId!));
      officerUser = u.username;

      // the supervisor sees it red, the criterion in its reasons and in the criteria that hit, the officer drawn
      await page.goto(`${c.url}/declarations/${redDecl.id}`);
      await expect.poll(() => text(page.getByTestId('assessment').locator('.badge').first()), POLL).toBe('Rojo');
      expect(await text(page.getByTestId('assessment').locator(`[data-reason="criterion:${criterionId}"]`))).toContain(CRITERION);
      await page.locator(`[data-testid="criteria-hit"] tr[data-criterion="${CRITERION}"]`).waitFor();
      await expect.poll(() => text(page.getByTestId('control-officer')), POLL).toBe(u.displayName);
      await page.getByTestId('override').click();
      await page.locator('#s-reason').fill('inteligencia confirma que el embarque es legítimo');
      await page.locator('[data-testid="override-form"] button[type=submit]').click();
      await page.getByTestId('confirm').waitFor();
      await shot(page, 'es-declaration-supervisor');
      await page.locator('[data-testid="override-form"] .btn', { hasText: 'Volver' }).click();
      expect((page as any).errors).toEqual([]);
    });
  });

  it('the assigned officer finds it in their controls and records a seizure; the dashboard and the criterion\'s hit rate change', async () => {
    await timed('officer records a seizure; dashboard and hit rate change', async () => {
      const manager = await newPage('es');
      await signIn(manager, 'gt.manager');
      const revenue = manager.getByTestId('tile-revenue');
      await revenue.waitFor();
      const before = await text(revenue);
      const hitBefore = await text(manager.getByTestId('tile-hit-rate'));

      const page = await newPage('es');
      await signIn(page, officerUser);
      await page.waitForURL(/\/controls$/);
      const row = page.locator(`[data-testid="controls-table"] tr[data-reference="${redDecl.reference}"]`);
      await row.waitFor();
      expect(await page.locator('[data-testid="controls-table"] tbody tr').first().getAttribute('data-reference')).toBe(redDecl.reference);
      await shot(page, 'es-controls');
      await row.getByRole('link').click();
      await page.getByTestId('result-form').waitFor();
      await page.locator('input[name=outcome][value=discrepancy]').check();
      await page.locator('#d-kind-0').selectOption('prohibited');
      await page.locator('#d-line-0').fill('1');
      await page.locator('#d-note-0').fill('cigarrillos sin timbre fiscal');
      await page.locator('#r-duties').fill('1350');
      await page.locator('#r-taxes').fill('1242');
      await page.locator('#r-seized').check();
      // the API's validation, shown by the field
      await page.getByTestId('record-result').click();
      await page.getByTestId('error-seizureDescription').waitFor();
      expect(await page.locator('#r-seizure').getAttribute('aria-invalid')).toBe('true');
      await shot(page, 'es-control-result-form');
      await page.locator('#r-seizure').fill('500 kg de cigarrillos');
      await page.getByTestId('record-result').click();
      await page.getByTestId('control-result').waitFor();
      await expect.poll(() => text(page.getByTestId('control-status')), POLL).toBe('Con resultado');
      await shot(page, 'es-declaration-control');
      expect((page as any).errors).toEqual([]);

      await manager.reload();
      await expect.poll(() => text(manager.getByTestId('tile-revenue')), POLL).not.toBe(before);
      // a seizure is a hit: the hit rate rises, or stays at 100 % when every earlier control had found something
      const pct = (s: string | undefined) => parseFloat((s ?? '').replace(/\s/g, '').replace(',', '.'));
      const hitAfter = await text(manager.getByTestId('tile-hit-rate'));
      if (pct(hitBefore) < 100) expect(pct(hitAfter)).toBeGreaterThan(pct(hitBefore));
      else expect(pct(hitAfter)).toBe(100);
      for (const id of ['per-day', 'hit-rate', 'revenue', 'controls-channel']) await chartReady(manager, id);
      await complianceReady(manager);
      await shot(manager, 'es-dashboard');
      await manager.goto(`${c.url}/criteria/${criterionId}`);
      await expect.poll(() => text(manager.getByTestId('criterion-hit-rate')), POLL).toMatch(/^100\s?%$/);
      await manager.goto(`${c.url}/traders/5566778-9`);
      await expect.poll(() => text(manager.getByTestId('standing')), POLL).toBe('Deficiente');
      await chartReady(manager, 'trader-mix');
      await shot(manager, 'es-trader-controls');
    });
  });

  it('the risk screens in English', async () => {
    await timed('risk screens in English', async () => {
      const page = await newPage('en');
      await signIn(page, 'gt.analyst2');
      await page.goto(`${c.url}/criteria`);
      await page.locator('[data-testid="criteria-table"] [data-testid="hit-rate"]').first().waitFor();
      await expect.poll(() => text(page.locator('h1')), POLL).toBe('Risk criteria');
      await shot(page, 'en-criteria');
      await page.goto(`${c.url}/criteria/${criterionId}`);
      await page.getByTestId('criterion-hit-rate').waitFor();
      await shot(page, 'en-criterion');
      await page.goto(`${c.url}/criteria/${criterionId}/edit`);
      await page.locator('#c-expression').fill('decl.totalValue > 2 * 1000.0');
      await page.getByTestId('cel-problem').waitFor();
      await shot(page, 'en-criterion-editor-error');
      await page.locator('#c-expression').fill('decl.items.exists(i, i.hsCode.startsWith("2402"))');
      await expect.poll(() => page.getByTestId('cel-status').getAttribute('data-state'), POLL).toBe('ok');
      await page.getByTestId('run-backtest').click();
      await page.getByTestId('backtest-result').waitFor();
      await shot(page, 'en-criterion-editor-backtest');
      await page.goto(`${c.url}/traders/5566778-9`);
      await page.getByTestId('trader-risk').waitFor();
      await chartReady(page, 'trader-mix');
      await shot(page, 'en-trader-controls');
      await page.getByTestId('sign-out').click();

      await signIn(page, 'gt.supervisor');
      await page.goto(`${c.url}/controls?status=done`);
      await page.locator(`[data-testid="controls-table"] tr[data-reference="${redDecl.reference}"]`).waitFor();
      await shot(page, 'en-controls');
      await page.goto(`${c.url}/declarations/${redDecl.id}`);
      await page.getByTestId('control-result').waitFor();
      await shot(page, 'en-declaration-control');
      await page.goto(`${c.url}/`);
      for (const id of ['hit-rate', 'revenue', 'controls-channel']) await chartReady(page, id);
      await complianceReady(page);
      await page.getByTestId('targets-form').waitFor();
      await shot(page, 'en-dashboard-controls');
      expect((page as any).errors).toEqual([]);
      console.log(`[browser journeys] ${JSON.stringify(timings)}`);
    });
  });
});
