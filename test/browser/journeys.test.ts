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
import { validDeclaration } from '../fixtures.ts';
import { DEMO_PASSWORD, hasChromium, launchBrowser, SCREENSHOTS, startCentinela, type Centinela } from './harness.ts';

const POLL = { timeout: 15_000, interval: 100 };
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
    page.setDefaultTimeout(15_000);
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

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
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
    await officer.waitForURL(/\/queue$/);
    const links = await officer.locator('.mainnav a').allTextContents();
    expect(links).toEqual(['Selectividad', 'Tránsito', 'Operadores']);
    const manager = await newPage('es');
    await signIn(manager, 'gt.manager');
    expect(await manager.locator('.mainnav a').allTextContents()).toEqual(['Panel', 'Selectividad', 'Tránsito', 'Operadores']);
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
});
