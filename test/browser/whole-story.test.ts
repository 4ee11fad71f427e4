// The whole story in the browser, as the issue tells it: a designer uploads a design, a customer orders it and pays,
// a simulated printer prints it, and the customer opens the product page from its QR code's URL on a phone and sees
// it verified. Every step goes through the web app's pages; only the printer is a simulated agent. Screenshots of
// each step are kept in test-results/browser/.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, screenshot, watchConsole } from '../support/browser.js';
import { addPrinter, type Agent } from '../support/fleet.js';
import { binaryStl, box } from '../support/meshes.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

describe('the whole story in the browser', () => {
  let t: TestPlatform;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  const agents: Agent[] = [];

  beforeAll(async () => {
    [t, { browser, close: closeBrowser }] = await Promise.all([startTestPlatform(), launchBrowser()]);
    // The printer: registered by its operator and online through a simulated agent that prints 5000× faster.
    agents.push((await addPrinter(t, 'Story Workshop')).agent);
  });
  afterAll(async () => {
    for (const a of agents) await a.stop().catch(() => undefined);
    await closeBrowser?.();
    await t?.close();
  });

  async function logIn(page: Page, email: string, password: string, next: string) {
    await page.goto(`${t.platform.gatewayUrl}/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === next);
  }

  it('designer uploads, customer orders and pays, the printer prints, the QR URL shows the product verified', async () => {
    const title = `Story lamp ${Date.now().toString(36)}`;

    // 1. The designer uploads.
    const designer = await (await newContext(browser)).newPage();
    const designerProblems = watchConsole(designer);
    await logIn(designer, 'designer@dpm.local', 'Designer-pass-1', '/designer/designs/new');
    await designer.getByLabel('Title').fill(title);
    await designer.getByLabel('Description').fill('A small lamp base.');
    await designer.getByLabel('Price per print (€)').fill('12');
    await designer.getByLabel('Your royalty per print (€)').fill('4');
    await designer.getByLabel('Edition size (prints)').fill('10');
    await designer.getByLabel('Design file (STL)').setInputFiles({ name: 'lamp.stl', mimeType: 'model/stl', buffer: Buffer.from(binaryStl(box(30, 30, 8))) });
    await designer.getByRole('button', { name: 'Create design and upload' }).click();
    await designer.getByRole('heading', { name: 'Your design is listed' }).waitFor({ timeout: 90_000 });
    await screenshot(designer, 'story-1-designer-listed');
    expect(designerProblems).toEqual([]);

    // 2. The customer finds it, accepts the terms, chooses the printer and pays with Stripe's test card.
    const customer = await (await newContext(browser)).newPage();
    const customerProblems = watchConsole(customer);
    await logIn(customer, 'customer@dpm.local', 'Customer-pass-1', '/designs');
    await customer.getByLabel('Search', { exact: true }).fill(title);
    await customer.getByRole('button', { name: 'Search' }).click();
    await customer.getByRole('link', { name: title }).click();
    await customer.getByRole('heading', { name: title, level: 1 }).waitFor();
    await expect.poll(() => customer.locator('figure.viewer').getAttribute('data-state'), { timeout: 30_000 }).toBe('ready');
    // Print parameters: finer layers and more infill cost more, and go to the printer's slicer.
    await customer.getByRole('radio', { name: /Story Workshop/ }).waitFor({ timeout: 30_000 });
    const standardTotal = await customer.getByRole('button', { name: /^Pay / }).textContent();
    await customer.getByLabel('Layer height').selectOption('0.15');
    await customer.getByLabel('Infill').selectOption('40');
    await expect.poll(() => customer.getByRole('button', { name: /^Pay / }).textContent(), { timeout: 30_000 }).not.toBe(standardTotal);
    await customer.getByRole('radio', { name: /Story Workshop/ }).check({ timeout: 30_000 });
    await customer.getByLabel(/I accept the design’s licence terms/).check();
    await customer.getByLabel(/I accept .*’s terms \(version/).check();
    await customer.getByLabel('Recipient').fill('Story Customer');
    await customer.getByLabel('Street and number').fill('3 quai Saint-Antoine');
    await customer.getByLabel('Postal code').fill('69002');
    await customer.getByLabel('Town or city').fill('Lyon');
    await customer.getByLabel('Card number').fill('4242 4242 4242 4242');
    await customer.getByLabel('Expiry (MM/YY)').fill('12/30');
    await customer.getByLabel('Security code').fill('123');
    await customer.getByLabel('Name on card').fill('Story Customer');
    await screenshot(customer, 'story-2-checkout');
    await customer.getByRole('button', { name: /^Pay / }).click();
    await customer.waitForURL(/\/orders\/ord_[0-9a-f]{24}$/, { timeout: 60_000 });
    const orderId = /ord_[0-9a-f]{24}/.exec(customer.url())![0];
    expect(((await (await t.api(`/orders/${orderId}`, 'customer')).json()) as { printParams: unknown }).printParams).toEqual({ layerHeightMm: 0.15, infillPercent: 40, perimeters: 2 });

    // 3. The printer prints it; the order page follows it to shipping, and the customer confirms the delivery.
    await customer.getByRole('button', { name: 'Confirm delivery' }).click({ timeout: 180_000 });
    await customer.getByRole('heading', { name: 'Rate this order' }).waitFor({ timeout: 60_000 });
    await screenshot(customer, 'story-3-delivered');
    const tagUrl = await customer.getByRole('link', { name: 'Its tag and story' }).getAttribute('href');
    expect(tagUrl).toMatch(/\/01\/\d{14}\/21\/[^/?]+\?s=/);
    expect(customerProblems).toEqual([]);

    // 4. Anyone scanning the QR code on a phone opens its URL: the product page says it is authentic, with its story.
    const phone = await (await newContext(browser, { mobile: true })).newPage();
    const phoneProblems = watchConsole(phone);
    await phone.goto(tagUrl!.replace(/^https?:\/\/[^/]+/, t.platform.gatewayUrl));
    await expect.poll(() => phone.getByRole('heading', { level: 1 }).textContent(), { timeout: 60_000 }).toBe('Authentic');
    // The memory has every step on the ledger (design, printed, tagged, shipped, delivered), each linked to its transaction.
    await expect.poll(() => phone.locator('.timeline-step a.tx-link').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(5);
    await screenshot(phone, 'story-4-verified-phone');
    expect(phoneProblems).toEqual([]);
  });
});
