// The account pages every signed-in user has: /profile (GET and PUT /me) and /inbox (notifications, and the order
// conversations between a customer and the printer's operator). A delivered order gives the customer real
// notifications; the customer starts a conversation about it in the browser, the operator answers from a phone.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { demoUsers } from '../../local/demo-users.js';
import { launchBrowser, newContext, screenshot, watchConsole } from '../support/browser.js';
import { deliverTaggedProduct, type DeliveredProduct } from '../support/delivered-product.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

// Pages answer within a second on an idle machine; a shared, loaded one needs patience, not a different test.
vi.setConfig({ expect: { poll: { timeout: 15_000, interval: 100 } } });

describe('profile and inbox', () => {
  let t: TestPlatform;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let product: DeliveredProduct;

  beforeAll(async () => {
    [t, { browser, close: closeBrowser }] = await Promise.all([startTestPlatform(), launchBrowser()]);
    product = await deliverTaggedProduct(t);
  });
  afterAll(async () => {
    await product?.agent.stop();
    await closeBrowser?.();
    await t?.close();
  });

  async function logIn(page: Page, group: string, next: string) {
    const u = demoUsers.find((d) => d.group === group)!;
    await page.goto(`${t.platform.gatewayUrl}/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('E-mail').fill(u.username);
    await page.getByLabel('Password').fill(u.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => url.pathname === next);
  }

  it('shows and edits the caller’s profile; an empty name is refused in words', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const problems = watchConsole(page);
    await page.goto(`${t.platform.gatewayUrl}/profile`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Log in to continue');

    await logIn(page, 'customer', '/profile');
    await expect.poll(() => page.locator('.account-facts').innerText()).toContain('customer@dpm.local');
    await page.getByLabel('Name shown to others').fill('');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expect.poll(() => page.locator('.field-error').textContent()).toContain('Enter the name others will see');

    await page.getByLabel('Name shown to others').fill('Camille in Lyon');
    await page.getByLabel('Location').fill('Lyon');
    await page.getByLabel('About you').fill('I collect desk hooks.');
    // Keyboard only: the save button is reached and pressed without the mouse.
    await page.getByLabel('About you').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Profile saved.' }).count()).toBe(1);
    const me = (await (await t.api('/me', 'customer')).json()) as { profile: { displayName: string; location: string; bio: string } };
    expect(me.profile).toMatchObject({ displayName: 'Camille in Lyon', location: 'Lyon', bio: 'I collect desk hooks.' });

    await page.reload();
    await expect.poll(() => page.getByLabel('Name shown to others').inputValue()).toBe('Camille in Lyon');
    await screenshot(page, 'account-profile');
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('lists notifications, and carries a conversation between the customer and the printer’s operator', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const problems = watchConsole(page);
    await logIn(page, 'customer', '/inbox');
    const notes = page.locator('ul.notifications');
    await expect.poll(() => notes.innerText()).toContain('Shipped');
    expect(await notes.innerText()).toContain('Delivered');
    await expect.poll(() => page.getByText('No conversations yet').count()).toBe(1);

    // Start a conversation about the delivered order.
    await page.getByLabel('Write about an order').selectOption(product.orderId);
    await page.getByRole('button', { name: 'Open the conversation' }).click();
    await page.waitForURL((u) => u.searchParams.get('order') === product.orderId);
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByText('Write something before sending.').count()).toBe(1);
    await page.getByLabel('Your message').fill('The hook arrived. Could you print a second one in white?');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.locator('ol.thread').innerText()).toContain('Could you print a second one in white?');
    await expect.poll(() => page.locator('ul.conversations').innerText()).toContain(product.orderId);
    await screenshot(page, 'account-inbox-customer');

    // The operator sees it on a phone, opens it and answers.
    const phone = await newContext(browser, { mobile: true });
    const op = await phone.newPage();
    problems.push(...watchConsole(op));
    await logIn(op, 'printer', '/inbox');
    const entry = op.getByRole('link', { name: new RegExp(product.orderId) });
    await expect.poll(() => entry.innerText()).toContain('Customer: The hook arrived.');
    await entry.click();
    await op.getByLabel('Your message').fill('Yes, white PLA is loaded: place a new order and choose my printer.');
    await op.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => op.locator('ol.thread li').count()).toBe(2);
    expect(await op.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(op, 'account-inbox-operator-mobile');

    // Back with the customer: the reply is there after a reload, and the list shows it as the latest message.
    await page.reload();
    await expect.poll(() => page.locator('ol.thread').innerText()).toContain('white PLA is loaded');
    expect(await page.locator('ul.conversations').innerText()).toContain('Printer: Yes, white PLA is loaded');
    expect(problems).toEqual([]);
    await phone.close();
    await ctx.close();
  });
});
