// The customer's path in the browser, against the whole platform with a listed design and simulated printers
// online: search (filters in the address), open the design, accept its licence and a printer's terms, see the
// itemized quote, pay with Stripe's test card, watch the print's layers arrive live on the order page (no reload),
// confirm the delivery, rate it and write to the printer; a second checkout with a declined card says so in words a
// person can act on. Clean console throughout; screenshots at desktop and phone sizes.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, screenshot, watchConsole } from '../support/browser.js';
import { addPrinter, listDesign, type PrinterAgent } from '../support/marketplace.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

describe('the customer in the web app', () => {
  let t: TestPlatform;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  const agents: PrinterAgent[] = [];
  let designId = '';

  beforeAll(async () => {
    [t, { browser, close: closeBrowser }] = await Promise.all([startTestPlatform(), launchBrowser()]);
    const terms = { priceCents: 1500, royaltyCents: 900, editionSize: 10, allowedMaterials: ['PLA'], commercialUse: false };
    designId = await listDesign(t, 'Desk hook', terms, [20, 20, 6], { description: 'A sturdy hook for the edge of a desk.', tags: ['hook', 'desk'] });
    // A second version of the terms, so the page has a past version to show.
    expect((await t.api(`/designs/${designId}/terms`, 'designer', { method: 'PUT', body: JSON.stringify({ ...terms, editionSize: 12 }) })).status).toBe(200);
    // A decoy that the filters must leave out.
    await listDesign(t, 'Desk organiser tray', { ...terms, priceCents: 4000 }, [30, 30, 8]);
    // Slow enough that the print's layers arrive over several seconds.
    await addPrinter(t, agents, 'Slow Workshop', { timeScale: 40 });
    await addPrinter(t, agents, 'Corner Fab Lab', { terms: { feePerHourCents: 400, feePerGramCents: 6, text: 'Printed the same day when ordered before noon.' } });
  });

  afterAll(async () => {
    for (const a of agents) await a.stop();
    await closeBrowser?.();
    await t?.close();
  });

  async function logIn(page: Page, next: string) {
    await page.goto(`${t.platform.gatewayUrl}/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('E-mail').fill('customer@dpm.local');
    await page.getByLabel('Password').fill('Customer-pass-1');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === next.split('?')[0]);
  }

  async function chooseAndAccept(page: Page, printer: RegExp) {
    await page.getByRole('radio', { name: printer }).check();
    await expect.poll(() => page.getByText(/’s terms \(version 1\)$/).first().textContent()).toMatch(printer);
    await page.getByLabel(/I accept the design’s licence terms/).check();
    await page.getByLabel(/I accept .*’s terms \(version/).check();
  }

  /** The delivery address and the card (the address first: a declined card is paid again with the same address). */
  async function fillCard(page: Page, number: string) {
    await page.getByLabel('Recipient').fill('Carla Customer');
    await page.getByLabel('Street and number').fill('12 rue des Lilas');
    await page.getByLabel('Postal code').fill('69003');
    await page.getByLabel('Town or city').fill('Lyon');
    await page.getByLabel('Country').selectOption('FR');
    await page.getByLabel('Card number').fill(number);
    await page.getByLabel('Expiry (MM/YY)').fill('12/30');
    await page.getByLabel('Security code').fill('123');
    await page.getByLabel('Name on card').fill('Carla Customer');
  }

  it('searches, orders with a chosen printer, pays, watches the print live, confirms, rates and writes', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const problems = watchConsole(page);
    await logIn(page, '/designs');

    // Search: the filters go into the address, and the address alone gives the same results (shareable).
    await page.getByLabel('Search', { exact: true }).fill('desk');
    await page.getByLabel('Material').selectOption('PLA');
    await page.getByLabel('Max. price (€)').fill('abc');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.getByText('Enter a price in euros, like 25 or 12.50.').count()).toBe(1);
    await page.getByLabel('Max. price (€)').fill('20');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/designs\?q=desk&material=PLA&maxPrice=20$/);
    await expect.poll(() => page.getByRole('heading', { name: /designs? match|^\d+ designs?$/ }).textContent()).toBe('1 design');
    const shared = page.url();
    await page.goto(shared);
    await expect.poll(() => page.getByLabel('Search', { exact: true }).inputValue()).toBe('desk');
    await expect.poll(() => page.getByRole('link', { name: 'Desk hook' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Desk organiser tray' }).count()).toBe(0);
    await screenshot(page, 'customer-search');

    // The design's page: facts, licence terms, the 3D preview, and the printers that can print it.
    await page.getByRole('link', { name: 'Desk hook' }).click();
    await page.waitForURL(new RegExp(`/designs/${designId}$`));
    // The page loads on first visit: until it has, the results (with their own "Desk hook" heading) stay on screen.
    await expect.poll(() => page.getByRole('heading', { name: 'Licence terms (version 2)' }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Desk hook', level: 1 }).count()).toBe(1);
    await page.getByText('Past versions of the licence terms').click();
    await expect.poll(() => page.getByRole('heading', { name: /^Version 1 / }).count()).toBe(1);
    expect(await page.locator('.history').textContent()).toContain('at most 10 prints');
    expect(await page.getByRole('img', { name: '3D preview of Desk hook' }).count()).toBe(1);
    // The preview mesh the platform made at ingest is drawn (not the design file, which is never sent).
    await expect.poll(() => page.locator('figure.viewer').getAttribute('data-state'), { timeout: 30_000 }).toBe('ready');
    await expect.poll(() => page.getByRole('radio').count(), { timeout: 20_000 }).toBe(2);

    // Paying before accepting the terms is refused with what to do.
    await chooseAndAccept(page, /Slow Workshop/);
    await page.getByLabel(/I accept the design’s licence terms/).uncheck();
    await page.getByRole('button', { name: /^Pay / }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('Tick the box to accept the design’s licence terms.');
    expect(await page.getByText('Enter the card number.').count()).toBe(1);
    await page.getByLabel(/I accept the design’s licence terms/).check();

    // The itemized quote adds up to what the button asks for.
    const cells = await page.getByRole('table', { name: 'Itemized price' }).locator('td').allTextContents();
    const cents = cells.map((c) => Math.round(Number(c.replace(/[^\d.,]/g, '').replace(',', '.')) * 100));
    expect(cents).toHaveLength(5);
    expect(cents[0]).toBe(1500);
    expect(cents[0]! + cents[1]! + cents[2]! + cents[3]!).toBe(cents[4]);
    expect(await page.getByRole('button', { name: /^Pay / }).textContent()).toContain(cells[4]!.trim());

    await fillCard(page, '4242424242424242');
    expect(await page.getByLabel('Card number').inputValue()).toBe('4242 4242 4242 4242');
    await screenshot(page, 'customer-checkout');
    // A double click places one order (one client order id per checkout; the button is busy after the first).
    const ordersBefore = ((await (await t.api('/me/orders', 'customer')).json()) as unknown[]).length;
    await page.getByRole('button', { name: /^Pay / }).dblclick();
    await page.waitForURL(/\/orders\/ord_[0-9a-f]{24}$/, { timeout: 60_000 });
    expect(((await (await t.api('/me/orders', 'customer')).json()) as unknown[]).length).toBe(ordersBefore + 1);
    const orderId = /ord_[0-9a-f]{24}/.exec(page.url())![0];
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Payment accepted' }).count()).toBe(1);

    // Live: the layer count changes on this page without a reload.
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          const label = await page.locator('.print-progress .progress-label').textContent({ timeout: 500 }).catch(() => null);
          if (label) seen.add(label);
          return seen.size;
        },
        { timeout: 90_000, interval: 250 },
      )
      .toBeGreaterThanOrEqual(2);
    expect([...seen].every((s) => /^Layer \d+ of \d+$/.test(s))).toBe(true);
    expect(await page.getByText(/Expected to finish at/).count()).toBe(1);
    await screenshot(page, 'customer-tracking-printing');
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);

    // Shipped: the customer confirms the delivery, the escrow is released, and the order can be rated (once).
    await page.getByRole('button', { name: 'Confirm delivery' }).click({ timeout: 120_000 });
    await page.getByRole('heading', { name: 'Rate this order' }).waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await page.getByLabel('The design').selectOption('5');
    await page.getByLabel('The printing').selectOption('4');
    await page.getByLabel('Feedback (optional)').fill('Clean layers, arrived quickly.');
    await page.getByRole('button', { name: 'Send rating' }).click();
    await expect.poll(() => page.getByText(/Thank you: your rating is saved/).count()).toBe(1);
    const rated = await t.api(`/orders/${orderId}/rating`, 'customer', { method: 'POST', body: JSON.stringify({ designStars: 1, printerStars: 1 }) });
    expect(rated.status).toBe(409);

    // Messages with the printer's operator, on the same page.
    await page.getByLabel('Your message').fill('Thanks, it fits my desk perfectly.');
    await page.getByRole('button', { name: 'Send message' }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Messages' }).textContent()).toContain('Thanks, it fits my desk perfectly.');
    await screenshot(page, 'customer-order-completed');

    await page.getByRole('link', { name: 'My orders' }).first().click();
    await expect.poll(() => page.getByRole('link', { name: orderId }).count()).toBe(1);
    await screenshot(page, 'customer-orders');

    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('shows a declined card in words the customer can act on, and lets them pay again', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const problems = watchConsole(page);
    await logIn(page, `/designs/${designId}`);
    await expect.poll(() => page.getByRole('radio').count(), { timeout: 20_000 }).toBe(2);
    await chooseAndAccept(page, /Corner Fab Lab/);
    await fillCard(page, '4000 0000 0000 0002');
    await page.getByRole('button', { name: /^Pay / }).click();
    await expect
      .poll(() => page.getByRole('alert').allTextContents(), { timeout: 60_000 })
      .toContainEqual('Your card was declined. Nothing was charged. Check the card details or use another card, then pay again.');
    // Still on the checkout, ready for another card.
    expect(new URL(page.url()).pathname).toBe(`/designs/${designId}`);
    expect(await page.getByRole('button', { name: /^Pay / }).isEnabled()).toBe(true);
    await screenshot(page, 'customer-card-declined');
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('fits a phone: the design page and the order list without sideways scrolling', async () => {
    const ctx = await newContext(browser, { mobile: true });
    const page = await ctx.newPage();
    const problems = watchConsole(page);
    await logIn(page, `/designs/${designId}`);
    await expect.poll(() => page.getByRole('radio').count(), { timeout: 20_000 }).toBe(2);
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(page, 'customer-design-mobile');
    await page.goto(`${t.platform.gatewayUrl}/orders`);
    await expect.poll(() => page.getByRole('heading', { name: 'My orders' }).count()).toBe(1);
    await page.getByRole('table').waitFor();
    await screenshot(page, 'customer-orders-mobile');
    expect(problems).toEqual([]);
    await ctx.close();
  });
});
