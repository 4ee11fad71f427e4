// Accounts in the browser: sign up with a role, log out, log in again, and be refused with a message a person can
// act on. Also the basics every page shares: a skip link reachable from the keyboard, no console errors.
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, screenshot, watchConsole } from '../support/browser.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

describe('accounts in the web app', () => {
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

  it('signs up as a designer, logs out and logs back in; a wrong password is refused with a readable message', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    // The refusals this test provokes on purpose are logged by Chromium as failed loads; nothing else may be.
    const problems = watchConsole(page, (text) => /status of (400|409) /.test(text));
    const email = `web-${randomUUID().slice(0, 8)}@dpm.test`;
    const password = 'Web-designer-pass-1!';

    await page.goto(`${t.platform.gatewayUrl}/`);
    // The app renders after loading its configuration: Tab before that would land on nothing.
    await page.getByRole('link', { name: 'Skip to content' }).waitFor({ state: 'attached' });
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');

    await page.getByRole('link', { name: 'Sign up' }).first().click();
    await page.getByLabel('I am a').selectOption('designer');
    await page.getByLabel('Name shown to others').fill('Web Designer');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL(/\/designer$/);
    await expect.poll(() => page.getByRole('link', { name: email }).count()).toBe(1);
    await screenshot(page, 'accounts-signed-up');

    // The API sees the role the account was opened with.
    const token = await page.evaluate(() => (JSON.parse(localStorage.getItem('dpm.session') ?? '{}') as { idToken?: string }).idToken);
    const me = (await (await fetch(`${t.platform.gatewayUrl}/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as { roles: string[]; profile: { displayName: string } };
    expect(me.roles).toEqual(['designer']);
    expect(me.profile.displayName).toBe('Web Designer');

    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => page.getByRole('link', { name: 'Log in' }).count()).toBe(1);

    await page.getByRole('link', { name: 'Log in' }).click();
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill('Not-the-password-1!');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('The e-mail or the password is wrong.');

    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/designer$/);

    // The same e-mail cannot open a second account.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.goto(`${t.platform.gatewayUrl}/signup`);
    await page.getByLabel('Name shown to others').fill('Someone else');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('already exists');

    expect(problems).toEqual([]);
    await ctx.close();
  });
});
