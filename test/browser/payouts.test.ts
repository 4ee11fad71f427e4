// Payout accounts in the browser: an operator sets one up (the embedded platform's onboarding completes at once and
// returns to /payouts/onboarding/return), a bad country code is refused in words, a customer is kept out. Statements
// that show only their latest lines say so.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, screenshot, watchConsole } from '../support/browser.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

describe('payouts in the web app', () => {
  let t: TestPlatform;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;

  beforeAll(async () => {
    [t, { browser, close: closeBrowser }] = await Promise.all([startTestPlatform(), launchBrowser()]);
  });
  afterAll(async () => {
    await closeBrowser?.();
    await t?.close();
  });

  it('an operator sets up a payout account and comes back to a ready account; a customer is kept out', async () => {
    const page = await (await newContext(browser)).newPage();
    const problems = watchConsole(page);
    await page.goto(`${t.platform.gatewayUrl}/login?next=/payouts`);
    await page.getByLabel('E-mail').fill('printer@dpm.local');
    await page.getByLabel('Password').fill('Printer-pass-1');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Set up payouts' }).waitFor();

    await page.getByLabel('Country (two-letter code)').fill('F');
    await page.getByRole('button', { name: 'Set up payouts' }).click();
    await expect.poll(() => page.getByText('Enter the two-letter code of your country').count()).toBe(1);

    await page.getByLabel('Country (two-letter code)').fill('fr');
    await page.getByRole('button', { name: 'Set up payouts' }).click();
    await page.waitForURL(/\/payouts\/onboarding\/return/);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Your payout account is ready');
    expect(await page.locator('dl.account-facts').innerText()).toContain('FR');
    await screenshot(page, 'payouts-ready');
    const account = (await (await t.api('/me/payout-account', 'printer')).json()) as { ready: boolean; country: string };
    expect(account).toMatchObject({ ready: true, country: 'FR' });
    expect(problems).toEqual([]);

    const customer = await (await newContext(browser)).newPage();
    await customer.goto(`${t.platform.gatewayUrl}/login?next=/payouts`);
    await customer.getByLabel('E-mail').fill('customer@dpm.local');
    await customer.getByLabel('Password').fill('Customer-pass-1');
    await customer.getByRole('button', { name: 'Log in' }).click();
    await customer.getByRole('heading', { name: 'Not for this account' }).waitFor();
  });

  it('says so when a statement shows only its latest lines, on the payouts page and on the designer’s dashboard', async () => {
    // An account with more lines than a history shows (100) would take hundreds of orders to make here; the answer's
    // shape is the API's own, as GET /me/payments gives it with earlierLinesOmitted set.
    const line = (orderId: string, day: number) => ({ orderId, step: 'release', amountCents: 500, at: `2026-12-0${day}T10:00:00.000Z` });
    const answer = (account: string) => JSON.stringify([{ account, balanceCents: 90_000, lines: [line('ord_a', 1), line('ord_b', 2)], earlierLinesOmitted: true }]);
    const logIn = async (username: string, password: string, next: string, account: string) => {
      const page = await (await newContext(browser)).newPage();
      await page.route('**/api/me/payments', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: answer(account) }));
      await page.goto(`${t.platform.gatewayUrl}/login?next=${next}`);
      await page.getByLabel('E-mail').fill(username);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Log in' }).click();
      return page;
    };

    const [printer] = (await (await t.api('/me/printers', 'printer')).json()) as { printerId: string }[];
    const operator = await logIn('printer@dpm.local', 'Printer-pass-1', '/printer/payouts', `printer:${printer?.printerId ?? 'p-1'}:payouts`);
    await operator.getByRole('heading', { name: 'Payouts' }).waitFor();
    await expect.poll(() => operator.getByText('The latest 2 lines are shown; earlier ones are counted in the balance.').count()).toBe(1);
    expect(await operator.locator('tbody tr').count()).toBe(2);

    const designer = await logIn('designer@dpm.local', 'Designer-pass-1', '/designer', 'designer:someone:royalties');
    await expect.poll(() => designer.getByText(/^More than 2 payments, the last on /).count()).toBe(1);
  });
});
