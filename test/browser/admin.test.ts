// The admin area in the browser, on the platform in-process. The dashboard's figures move when orders run: a delivered
// order (orders, ledger commits and their latency) and a declined card (a refunded order is a workflow failure), with a
// virtual printer online. User management: an admin gives a test account another role and disables it; the account
// can then no longer sign in or renew its session, and once enabled again its token carries the new role, so the old
// role's routes answer 403. A non-admin gets the "not for this account" page and 403 from the API. Clean console.
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrinterAgent } from '../../cli/printer-agent.js';
import { localCredentials, localRegion } from '../../local/servers/local-aws.js';
import { generateDeviceKeys, publicKeys } from '../../shared/printing/device-keys.js';
import { launchBrowser, newContext, screenshot, watchConsole } from '../support/browser.js';
import { binaryStl, box } from '../support/meshes.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { until } from '../support/until.js';
import { deliveryAddress } from '../support/fleet.js';

describe('the admin area in the web app', () => {
  let t: TestPlatform;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let agent: Awaited<ReturnType<typeof startPrinterAgent>>;
  let designId = '';
  let printerId = '';
  const api = (path: string, as?: string, init: RequestInit = {}) => t.api(path, as, init);

  beforeAll(async () => {
    [t, { browser, close: closeBrowser }] = await Promise.all([startTestPlatform(), launchBrowser()]);
    const terms = { priceCents: 1500, royaltyCents: 900, editionSize: 10, allowedMaterials: ['PLA'], commercialUse: false };
    const created = (await (await api('/designs', 'designer', { method: 'POST', body: JSON.stringify({ title: 'Admin test hook', terms }) })).json()) as {
      design: { designId: string };
      upload: { url: string; contentType: string };
    };
    designId = created.design.designId;
    await fetch(created.upload.url, { method: 'PUT', headers: { 'content-type': created.upload.contentType }, body: binaryStl(box(20, 20, 6)) });
    expect((await api(`/designs/${designId}/ingest`, 'designer', { method: 'POST' })).status).toBe(200);

    const keys = generateDeviceKeys();
    const config = { name: 'Admin MK4', region: 'Lyon', profile: { bed: { x: 220, y: 220 }, maxZ: 250 }, loadedMaterials: [{ type: 'PLA', color: 'black' }] };
    const res = await api('/printers', 'printer', { method: 'POST', body: JSON.stringify({ config, terms: { feePerHourCents: 200, feePerGramCents: 5, text: 'Printed within two days; one reprint if a print fails.' }, deviceKeys: publicKeys(keys) }) });
    expect(res.status, await res.clone().text()).toBe(201);
    const { printer, credentials } = (await res.json()) as { printer: { printerId: string }; credentials: { username: string; password: string; endpoint: string } };
    printerId = printer.printerId;
    agent = await startPrinterAgent({ thing: printerId, mqttUrl: credentials.endpoint, username: credentials.username, password: credentials.password, keys, timeScale: 5000, telemetryMs: 60_000, workDir: join(t.dataDir, 'agent') });
    await until('printer online', async () => (await (await api('/printers')).json()) as { printerId: string; online: boolean }[], (l) => l.some((p) => p.printerId === printerId && p.online));
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await closeBrowser?.();
    await t?.close();
  });

  async function logIn(page: Page, email: string, password: string) {
    await page.goto(`${t.platform.gatewayUrl}/login`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
  }

  async function order(card: string) {
    const q = (await (await api('/quotes', 'customer', { method: 'POST', body: JSON.stringify({ designId, material: 'PLA', printerId }) })).json()) as { licenseVersion: number; printerTermsVersion: number };
    const body = { clientOrderId: randomUUID(), designId, material: 'PLA', printerId, acceptedLicenseVersion: q.licenseVersion, acceptedPrinterTermsVersion: q.printerTermsVersion, paymentMethod: card, deliverTo: deliveryAddress };
    const placed = await api('/orders', 'customer', { method: 'POST', body: JSON.stringify(body) });
    expect(placed.status).toBe(201);
    return ((await placed.json()) as { orderId: string }).orderId;
  }
  const statusOf = async (id: string) => ((await (await api(`/orders/${id}`, 'customer')).json()) as { status: string }).status;

  const figure = (page: Page, title: string) => page.locator('section.card', { has: page.getByRole('heading', { name: title, exact: true }) });
  const valueOf = (page: Page, title: string) => figure(page, title).locator('.figure-value').textContent();

  it('shows the figures and they move as orders complete and fail; updated every few seconds', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    // The 503s this test provokes on purpose are logged by Chromium as failed loads; nothing else may be.
    const problems = watchConsole(page, (text) => /status of 503 /.test(text));
    await logIn(page, 'admin@dpm.local', 'Admin-pass-1');
    await page.waitForURL(/\/admin$/);
    await expect.poll(() => page.getByRole('heading', { name: 'Operations', level: 1 }).count()).toBe(1);
    await expect.poll(() => page.locator('.admin-updated').textContent()).toMatch(/Updated at .+ refreshes every 5 s/);
    await expect.poll(() => valueOf(page, 'Printers online')).toBe('1 / 1');
    expect(await valueOf(page, 'Workflow failures')).toBe('0');
    expect(await figure(page, 'Orders per minute').locator('.figure-caption').textContent()).toContain('0 orders in the last 15 min');
    // The design's registration was already committed to the ledger while the test set up.
    const commits = async () => Number(/average of (\d+) commits/.exec((await figure(page, 'Ledger commit latency').locator('.figure-caption').textContent()) ?? '')?.[1] ?? 0);
    const commitsBefore = await commits();
    // Every chart has its text alternative.
    expect(await figure(page, 'Orders per minute').getByRole('img').getAttribute('aria-labelledby')).toBeTruthy();
    expect(await figure(page, 'Orders per minute').locator('svg title').textContent()).toMatch(/^Orders started per minute: \d\d:\d\d( [AP]M)? 0,/);

    // A delivered order and a declined card.
    const good = await order('4242 4242 4242 4242');
    const declined = await order('4000 0000 0000 0002');
    await until('order shipped', () => statusOf(good), (s) => s === 'shipped', 600);
    expect((await api(`/orders/${good}/delivery`, 'customer', { method: 'POST' })).status).toBe(202);
    await until('order completed', () => statusOf(good), (s) => s === 'completed', 600);
    expect(await until('order refunded', () => statusOf(declined), (s) => s === 'refunded' || s === 'cancelled', 600)).toMatch(/refunded|cancelled/);

    const before = await page.locator('.admin-updated time').getAttribute('datetime');
    await expect.poll(() => figure(page, 'Orders per minute').locator('.figure-caption').textContent(), { timeout: 20_000 }).toContain('2 orders in the last 15 min');
    await expect.poll(() => valueOf(page, 'Workflow failures'), { timeout: 20_000 }).toBe('1');
    expect(await figure(page, 'Workflow failures').locator('li').textContent()).toMatch(new RegExp(`^${declined} refunded at `));
    // The ledger writer commits the delivered product's steps; each commit's latency is tallied.
    // The delivered product's memory: printed, tagged, shipped, delivered.
    await expect.poll(commits, { timeout: 30_000 }).toBeGreaterThanOrEqual(commitsBefore + 4);
    expect(await valueOf(page, 'Ledger commit latency')).toMatch(/^\d+ ms$/);
    await expect.poll(() => valueOf(page, 'Ledger backlog'), { timeout: 30_000 }).toBe('0');
    expect(await valueOf(page, 'Errors')).toBe('0');
    expect(await page.locator('.admin-updated time').getAttribute('datetime')).not.toBe(before);

    // Keyboard: the window is a labelled control; changing it reloads the figures for that window.
    await page.getByLabel('Time window').focus();
    await page.getByLabel('Time window').selectOption('60');
    await expect.poll(() => figure(page, 'Orders per minute').locator('.figure-caption').textContent()).toContain('in the last 60 min');
    await page.getByRole('button', { name: 'Pause updates' }).click();
    await expect.poll(() => page.locator('.admin-updated').textContent()).toContain('paused');
    await screenshot(page, 'admin-dashboard');

    // When the platform does not answer, the page says so, keeps the last figures with their time, and can retry.
    await page.route('**/api/admin/operations**', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"InternalError","message":"Internal Server Error"}' }));
    await page.getByRole('button', { name: 'Resume updates' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('The platform is busy or starting. Try again in a moment.');
    expect(await page.locator('main').textContent()).toContain('The figures below are from');
    expect(await valueOf(page, 'Workflow failures')).toBe('1');
    await screenshot(page, 'admin-dashboard-unreachable');
    await page.unroute('**/api/admin/operations**');
    await page.getByRole('button', { name: 'Try again' }).click();
    await expect.poll(() => page.getByRole('alert').count()).toBe(0);

    // Errors: with the ledger node down, a new design's ledger step fails and is retried; each failure is counted and
    // the step waits in the backlog. (Last in this test: the ledger stays down.)
    await t.platform.components.find((c) => c.name === 'ledger')!.close();
    const terms = { priceCents: 900, royaltyCents: 300, editionSize: 5, allowedMaterials: ['PLA'], commercialUse: false };
    const created = (await (await api('/designs', 'designer', { method: 'POST', body: JSON.stringify({ title: 'Errors hook', terms }) })).json()) as {
      design: { designId: string };
      upload: { url: string; contentType: string };
    };
    await fetch(created.upload.url, { method: 'PUT', headers: { 'content-type': created.upload.contentType }, body: binaryStl(box(10, 10, 4)) });
    expect((await api(`/designs/${created.design.designId}/ingest`, 'designer', { method: 'POST' })).status).toBe(200);
    await expect.poll(async () => Number(await valueOf(page, 'Errors')), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await figure(page, 'Errors').locator('.figure-caption').textContent()).toMatch(/^[1-9]\d* ledger write failures and 0 workflows failed outright/);
    await expect.poll(async () => Number(await valueOf(page, 'Ledger backlog')), { timeout: 30_000 }).toBeGreaterThan(0);
    await screenshot(page, 'admin-dashboard-errors');

    const phone = await (await newContext(browser, { mobile: true })).newPage();
    const phoneProblems = watchConsole(phone);
    await logIn(phone, 'admin@dpm.local', 'Admin-pass-1');
    await phone.waitForURL(/\/admin$/);
    await expect.poll(() => valueOf(phone, 'Workflow failures')).toBe('1');
    await expect.poll(async () => Number(await valueOf(phone, 'Errors'))).toBeGreaterThan(0);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone, 'admin-dashboard-mobile');

    expect(problems).toEqual([]);
    expect(phoneProblems).toEqual([]);
    await ctx.close();
    await phone.context().close();
  });

  it('changes a user’s role and disables them: they cannot sign in or renew, and their new token has the new role', async () => {
    const email = `victim-${randomUUID().slice(0, 8)}@dpm.test`;
    const password = 'Victim-pass-1!';
    expect((await api('/signup', undefined, { method: 'POST', body: JSON.stringify({ email, password, role: 'customer', displayName: 'Test victim' }) })).status).toBe(201);
    const idp = new CognitoIdentityProviderClient({ endpoint: t.platform.urls.cognito, region: localRegion, credentials: localCredentials });
    const signIn = () => idp.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: t.platform.userPool.clientId, AuthParameters: { USERNAME: email, PASSWORD: password } }));
    const before = (await signIn()).AuthenticationResult!;
    const as = (token: string, path: string, init: RequestInit = {}) => fetch(`${t.platform.gatewayUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    expect((await as(before.IdToken!, '/me/orders')).status).toBe(200);

    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const problems = watchConsole(page, (text) => /status of 404 /.test(text));
    await logIn(page, 'admin@dpm.local', 'Admin-pass-1');
    await page.waitForURL(/\/admin$/);
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Users' }).click();
    await page.waitForURL(/\/admin\/users$/);

    // The admin's own row offers nothing to click: the API would refuse it anyway.
    const ownRow = page.getByRole('row', { name: /admin@dpm\.local/ });
    await expect.poll(() => ownRow.textContent()).toContain('Another admin can change your own account.');
    const admin = (await (await api('/me', 'admin')).json()) as { username?: string; userId: string };
    const adminUser = ((await (await api('/admin/users?q=admin%40dpm', 'admin')).json()) as { users: { username: string }[] }).users[0]!;
    const selfDemotion = await api(`/admin/users/${encodeURIComponent(adminUser.username)}/role`, 'admin', { method: 'PUT', body: JSON.stringify({ role: 'customer' }) });
    expect(selfDemotion.status).toBe(422);
    expect(((await selfDemotion.json()) as { message: string }).message).toBe('You cannot remove your own admin role. Ask another admin to do it.');
    expect((await api(`/admin/users/${encodeURIComponent(adminUser.username)}/disable`, 'admin', { method: 'POST' })).status).toBe(422);
    expect(admin.userId).toBeTruthy();

    await page.getByLabel('Search by e-mail').fill(email.slice(0, 12));
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.getByRole('row', { name: new RegExp(email.replace(/[.]/g, '\\.')) });
    await expect.poll(() => page.locator('table.admin-users tbody tr').count()).toBe(1);
    expect(await row.textContent()).toContain('customer');

    await page.getByRole('button', { name: `Change the role of ${email}` }).click();
    const dialog = page.getByRole('dialog', { name: `Change the role of ${email}` });
    await dialog.getByLabel('New role').selectOption('designer');
    await screenshot(page, 'admin-users-change-role');
    await dialog.getByRole('button', { name: 'Change role' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'is now a designer' }).count()).toBe(1);
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await row.textContent()).toContain('designer');

    // An action the API refuses leaves the dialog open with the reason, next to the button that tries again.
    await page.route('**/api/admin/users/*/disable', (route) =>
      route.fulfill({ status: 404, contentType: 'application/json', body: JSON.stringify({ error: 'NotFound', message: `No account ${email}` }) }),
    );
    await page.getByRole('button', { name: `Disable ${email}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disable the account' }).click();
    await expect.poll(() => page.getByRole('dialog').getByRole('alert').textContent()).toContain(`No account ${email}`);
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await page.unroute('**/api/admin/users/*/disable');

    await page.getByRole('button', { name: `Disable ${email}` }).click();
    // Escape cancels; nothing changes.
    await page.keyboard.press('Escape');
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await row.textContent()).toContain('active');
    await page.getByRole('button', { name: `Disable ${email}` }).click();
    await page.getByRole('dialog', { name: `Disable ${email}?` }).getByRole('button', { name: 'Disable the account' }).click();
    await expect.poll(() => row.textContent()).toContain('disabled');
    await screenshot(page, 'admin-users-disabled');
    const phone = await (await newContext(browser, { mobile: true })).newPage();
    const phoneProblems = watchConsole(phone);
    await logIn(phone, 'admin@dpm.local', 'Admin-pass-1');
    await phone.waitForURL(/\/admin$/);
    await phone.goto(`${t.platform.gatewayUrl}/admin/users`);
    await expect.poll(() => phone.getByRole('button', { name: `Enable ${email}` }).count()).toBe(1);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await screenshot(phone, 'admin-users-mobile');
    expect(phoneProblems).toEqual([]);
    await phone.context().close();

    // Disabled: no sign-in, no renewal. (The id token already issued passes the JWT check until it expires, within an
    // hour, in AWS as here: API Gateway's JWT authorizer does not ask Cognito.)
    await expect(signIn()).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'User is disabled.' });
    await expect(idp.send(new InitiateAuthCommand({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: t.platform.userPool.clientId, AuthParameters: { REFRESH_TOKEN: before.RefreshToken! } }))).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    expect((await as(before.IdToken!, '/me')).status).toBe(200);

    const victim = await (await newContext(browser)).newPage();
    const victimProblems = watchConsole(victim, (text) => /status of 400 /.test(text));
    await logIn(victim, email, password);
    await expect.poll(() => victim.getByRole('alert').textContent()).toContain('This account is disabled. Ask an admin of the platform to enable it again.');
    await screenshot(victim, 'admin-disabled-user-login');

    await page.getByRole('button', { name: `Enable ${email}` }).click();
    await page.getByRole('dialog', { name: `Enable ${email}?` }).getByRole('button', { name: 'Enable the account' }).click();
    await expect.poll(() => row.textContent()).toContain('active');

    // Signed in again, the token carries the new role: the customer's routes refuse it, the designer's accept it.
    await victim.getByRole('button', { name: 'Log in' }).click();
    await victim.waitForURL(/\/designer$/);
    const token = await victim.evaluate(() => (JSON.parse(localStorage.getItem('dpm.session') ?? '{}') as { idToken?: string }).idToken!);
    expect((await as(token, '/me/orders')).status).toBe(403);
    expect((await as(token, '/me/designs')).status).toBe(200);
    expect(((await (await as(token, '/me')).json()) as { roles: string[] }).roles).toEqual(['designer']);

    expect(problems).toEqual([]);
    expect(victimProblems).toEqual([]);
    idp.destroy();
    await ctx.close();
    await victim.context().close();
  });

  it('is not for other accounts: the page says so and the API answers 403', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const problems = watchConsole(page);
    await logIn(page, 'customer@dpm.local', 'Customer-pass-1');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    for (const path of ['/admin', '/admin/users']) {
      await page.goto(`${t.platform.gatewayUrl}${path}`);
      await expect.poll(() => page.getByRole('heading', { name: 'Not for this account' }).count()).toBe(1);
      expect(await page.locator('main').textContent()).toContain('This page is for admin accounts. You are signed in as customer.');
    }
    await screenshot(page, 'admin-not-for-customer');
    for (const [path, init] of [
      ['/admin/operations', {}],
      ['/admin/users', {}],
      ['/admin/users/someone/disable', { method: 'POST' }],
    ] as const) {
      for (const as of ['customer', 'designer', 'printer', 'partner']) expect((await api(path, as, init)).status).toBe(403);
      expect((await api(path, undefined, init)).status).toBe(401);
    }
    expect(problems).toEqual([]);
    await ctx.close();
  });
});
