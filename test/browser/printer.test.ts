// The printer operator in the browser: the demo operator logs in, sees their printer online with its telemetry,
// edits its configuration (a mistake is named beside its field first), accepts a job the printer holds for them and
// sees it printing, opens a G-code file in the layer viewer and moves through the layers with the keyboard, and sees
// the payout of the delivered order. On a desktop and a phone viewport, with a clean console.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrinterAgent } from '../../cli/printer-agent.js';
import { main as printerCli } from '../../cli/printer-main.js';
import type { DeviceKeys } from '../../shared/printing/device-keys.js';
import { toGcode } from '../../shared/slicing/gcode.js';
import { defaultProfile, defaultSettings } from '../../shared/slicing/printer-profile.js';
import { slice } from '../../shared/slicing/slice.js';
import { launchBrowser, newContext, screenshot, watchConsole } from '../support/browser.js';
import { addPrinter, listDesign, orderOn, type Agent } from '../support/fleet.js';
import { box } from '../support/meshes.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { until } from '../support/until.js';

/** The dashboard asks again every 5 s; what a test waits for may take a refresh or two. */
const eventually = { timeout: 20_000, interval: 200 };

describe('the printer operator’s pages', () => {
  let t: TestPlatform;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let agent: Agent;
  let printerId = '';
  let designId = '';
  let dir = '';
  let gcodeFile = '';
  let layers = 0;

  beforeAll(async () => {
    // One after the other: DynamoDB Local's start is slow on a busy machine, and Chromium's start makes it slower.
    t = await startTestPlatform();
    ({ browser, close: closeBrowser } = await launchBrowser());
    designId = await listDesign(t, 'Browser hook');
    // Slow enough to be seen printing for a few refreshes of the dashboard; still done in well under a minute.
    ({ printerId, agent } = await addPrinter(t, 'Approving MK4', { config: { approveJobs: true }, agent: { timeScale: 20, telemetryMs: 2000 } }));
    dir = await mkdtemp(join(tmpdir(), 'dpm-browser-gcode-'));
    const sliced = slice(box(24, 16, 3, [90, 100, 0]), defaultProfile, defaultSettings);
    layers = sliced.layers.length;
    gcodeFile = join(dir, 'bracket.gcode');
    await writeFile(gcodeFile, toGcode(sliced, defaultProfile, defaultSettings).gcode);
  }, 120_000);

  afterAll(async () => {
    await agent?.stop().catch(() => undefined);
    await closeBrowser?.();
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function logIn(page: Page) {
    await page.goto(`${t.platform.gatewayUrl}/login`);
    await page.getByLabel('E-mail').fill('printer@dpm.local');
    await page.getByLabel('Password').fill('Printer-pass-1');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/printer$/);
  }

  it('telemetry, configuration, a job accepted and printing, the layer viewer, payouts (desktop)', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const problems = watchConsole(page);
    await logIn(page);

    // The printer, online, with what it reported.
    const card = page.getByRole('list', { name: 'Printers' }).getByRole('listitem').first();
    await expect.poll(() => card.getByText('Online, idle').count(), eventually).toBe(1);
    await expect.poll(() => card.textContent(), eventually).toMatch(/Nozzle\s*24 °C/);
    expect(await card.textContent()).toMatch(/Bed\s*23 °C/);
    expect(await card.textContent()).toContain('PLA 100.0 %');
    expect(await card.textContent()).toContain('You approve each job.');
    await screenshot(page, 'printer-dashboard');

    // Configuration: an empty name is named beside its field before anything is sent; then a real change is saved.
    await card.getByRole('link', { name: 'Edit Approving MK4: configuration and terms' }).click();
    await page.waitForURL(/\/printer\/printers\//);
    await page.getByLabel('Printer name').fill('');
    await page.getByRole('button', { name: 'Save configuration' }).click();
    await expect.poll(() => page.getByText('Give the printer a name of 3 to 80 characters.').count(), eventually).toBe(1);
    expect(await page.getByLabel('Printer name').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Printer name').fill('Approving MK4S');
    await page.getByLabel('Region').fill('Villeurbanne');
    await page.getByRole('button', { name: 'Add a material' }).click();
    await page.getByLabel('Material 2', { exact: true }).selectOption('PETG');
    await page.getByLabel('Colour of material 2').fill('orange');
    await page.getByLabel('Supplier lot of material 2 (optional)').fill('PETG 7/b');
    await page.getByRole('button', { name: 'Save configuration' }).click();
    await expect.poll(() => page.getByText('The lot as the supplier writes it: up to 128 letters, digits and . _ : -').count(), eventually).toBe(1);
    await page.getByLabel('Supplier lot of material 2 (optional)').fill('PETG-7B');
    await page.getByRole('button', { name: 'Save configuration' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Configuration version 2' }).count(), eventually).toBe(1);
    type Mine = { printerId: string; config: { name: string; region: string; approveJobs?: boolean; loadedMaterials: unknown[]; version: number } }[];
    const saved = ((await (await t.api('/me/printers', 'printer')).json()) as Mine).find((p) => p.printerId === printerId)!;
    expect(saved.config).toMatchObject({ name: 'Approving MK4S', region: 'Villeurbanne', approveJobs: true, version: 2, loadedMaterials: [{ type: 'PLA', color: 'black' }, { type: 'PETG', color: 'orange', lotId: 'PETG-7B' }] });
    // The printer took it (its shadow reports the new version).
    await until('config applied', async () => agent.state().config as { config?: { version?: number } }, (c) => c.config?.version === 2);
    // Terms: a fee with fractions of a cent is refused readably.
    await page.getByLabel('Fee per started hour (€)').fill('2.505');
    await page.getByRole('button', { name: 'Publish these terms' }).click();
    await expect.poll(() => page.getByText('The hourly fee: whole cents only (two decimals).').count(), eventually).toBe(1);
    await page.getByLabel('Fee per started hour (€)').fill('2.50');
    await page.getByRole('button', { name: 'Publish these terms' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Published as version 2' }).count(), eventually).toBe(1);

    // A job: the printer holds the offer; the operator accepts it here and sees it printing.
    await page.getByRole('link', { name: '← Your printers' }).click();
    await page.waitForURL(/\/printer$/);
    const orderId = await orderOn(t, designId, printerId);
    const job = page.getByRole('listitem', { name: new RegExp(`Order ${orderId.slice(4, 12)} on Approving MK4S`) });
    await expect.poll(() => job.getByText('Waiting for your decision').count(), { timeout: 30_000, interval: 200 }).toBe(1);
    await screenshot(page, 'printer-job-offered');
    await job.getByRole('button', { name: 'Accept job' }).click();
    // The decision travels to the printer over MQTT and the printer answers the workflow: on a loaded machine (CI starts
    // many platforms at once) that can take longer than a dashboard refresh or two, so follow the order first.
    const accepted = await until('accepted job printing', async () => ((await (await t.api(`/orders/${orderId}`, 'customer')).json()) as { status: string }).status, (s) => !['placed', 'licensed', 'paid', 'dispatched'].includes(s), 1800);
    expect(accepted).toBe('printing');
    await expect
      .poll(async () => ((await job.getByText('Printing', { exact: true }).count()) === 1 ? 'Printing' : await job.textContent()), { timeout: 60_000, interval: 200 })
      .toBe('Printing');
    await expect.poll(() => card.textContent(), { timeout: 60_000, interval: 200 }).toMatch(new RegExp(`Printing order ${orderId.slice(4, 12)}: layer \\d+ of \\d+`));
    expect(await card.textContent()).toMatch(/Nozzle\s*210 °C/);
    expect(await card.textContent()).toContain('Loaded: PLA (black), PETG (orange)');
    await screenshot(page, 'printer-job-printing');

    // The layer viewer: a G-code file from this computer, the slider moved with the keyboard.
    await page.getByRole('link', { name: 'G-code viewer' }).click();
    await page.getByLabel('G-code file').setInputFiles(gcodeFile);
    const label = page.locator('#layer-label');
    await expect.poll(() => label.textContent(), eventually).toBe(`Layer ${layers} of ${layers} · Z ${(0.2 * layers).toFixed(2)} mm`);
    const slider = page.getByLabel('Layer', { exact: true });
    await slider.focus();
    await page.keyboard.press('Home');
    await expect.poll(() => label.textContent(), eventually).toBe(`Layer 1 of ${layers} · Z 0.20 mm`);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => label.textContent(), eventually).toBe(`Layer 2 of ${layers} · Z 0.40 mm`);
    expect(await slider.getAttribute('aria-valuetext')).toBe(`Layer 2 of ${layers}, Z 0.40 mm`);
    expect(await page.getByRole('img', { name: /Toolpath of layer 2 of/ }).count()).toBe(1);
    // Something was drawn in both colours: the canvas is not blank.
    const drawn = await page.locator('canvas').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let orange = 0;
      let blue = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i]! > 150 && d[i + 2]! < 80) orange++;
        if (d[i + 2]! > 150 && d[i]! < 80) blue++;
      }
      return { orange, blue };
    });
    expect(drawn.orange).toBeGreaterThan(100);
    expect(drawn.blue).toBeGreaterThan(10);
    await screenshot(page, 'printer-gcode-viewer');
    // A file that is not G-code says so.
    await page.getByLabel('G-code file').setInputFiles({ name: 'notes.gcode', mimeType: 'text/plain', buffer: Buffer.from('hello\nworld\n') });
    await expect.poll(() => page.getByRole('alert').textContent(), eventually).toContain('No extruding moves in notes.gcode');

    // Payouts: once the customer confirms the delivery, the printing fee and shipping are the operator's.
    await until('printed and shipped', async () => ((await (await t.api(`/orders/${orderId}`, 'customer')).json()) as { status: string }).status, (s) => ['shipped', 'refunded', 'cancelled'].includes(s), 900);
    expect((await t.api(`/orders/${orderId}/delivery`, 'customer', { method: 'POST' })).status).toBe(202);
    const done = await until(
      'completed',
      async () => (await (await t.api(`/orders/${orderId}`, 'customer')).json()) as { status: string; quote: { printingFeeCents: number; shippingCents: number } },
      (o) => o.status === 'completed',
    );
    await page.getByRole('link', { name: '← Your printers' }).click();
    await page.getByRole('link', { name: 'Payouts' }).click();
    const euros = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' }).format((done.quote.printingFeeCents + done.quote.shippingCents) / 100);
    await expect.poll(() => page.getByRole('heading', { name: /Paid out so far/ }).textContent(), eventually).toContain(euros);
    expect(await page.getByRole('row', { name: new RegExp(orderId) }).textContent()).toContain(euros);
    await screenshot(page, 'printer-payouts');

    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('registers a printer from the public keys dpm-printer init printed; the command it shows brings the printer online', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const problems = watchConsole(page);
    await logIn(page);
    await page.getByRole('link', { name: 'Register a printer' }).click();
    await page.getByLabel('A name for the keys on that computer').fill('bench-3');
    const state = join(dir, 'agent-state');
    let printed = '';
    expect(await printerCli(['init', '--thing', 'bench-3', '--state', state], (s) => (printed += s))).toBe(0);
    await page.getByLabel('Public keys (the output of dpm-printer init)').fill(printed);
    await page.getByLabel('Printer name').fill('Bench printer');
    await page.getByLabel('Region').fill('Grenoble');
    await page.getByLabel('Colour of material 1').fill('white');
    await page.getByLabel('What you promise and exclude (shown to customers)').fill('Printed within three days; no rush orders.');
    await page.getByRole('button', { name: 'Register the printer' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Bench printer is registered' }).count(), eventually).toBe(1);
    const command = (await page.getByLabel('Command that starts the printer agent').textContent())!;
    expect(command).toMatch(/^npx dpm-printer run --mqtt mqtt:\/\/\S+ --thing printer-[0-9a-f-]+ --device bench-3 --password \S+$/);
    await screenshot(page, 'printer-registered');

    // The agent, started as the page says, with the keys init made: the printer comes online on the dashboard.
    const arg = (name: string) => new RegExp(`--${name} (\\S+)`).exec(command)![1]!;
    const keys = JSON.parse(await readFile(join(state, 'bench-3', 'device-keys.json'), 'utf8')) as DeviceKeys;
    const bench = await startPrinterAgent({ thing: arg('thing'), mqttUrl: arg('mqtt'), username: arg('thing'), password: arg('password'), keys, timeScale: 1000, telemetryMs: 2000, workDir: join(state, 'jobs') });
    try {
      await page.getByRole('link', { name: 'your printers' }).click();
      const card = page.getByRole('listitem', { name: 'Bench printer', exact: true });
      await expect.poll(() => card.getByText('Online, idle').count(), eventually).toBe(1);
      expect(await card.textContent()).toContain('Loaded: PLA (white)');
    } finally {
      await bench.stop();
    }
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('is usable on a phone: dashboard, registration instructions and the viewer fit the screen', async () => {
    const ctx = await newContext(browser, { mobile: true });
    const page = await ctx.newPage();
    const problems = watchConsole(page);
    await logIn(page);
    await expect.poll(() => page.getByRole('listitem', { name: 'Approving MK4S', exact: true }).count(), eventually).toBe(1);
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(page, 'printer-dashboard-mobile');

    await page.getByRole('link', { name: 'Register a printer' }).click();
    await page.getByLabel('A name for the keys on that computer').fill('garage-2');
    expect(await page.getByLabel('Command that makes the keys').textContent()).toBe('npx dpm-printer init --thing garage-2');
    // A private key file pasted by mistake is refused with a warning, before anything is sent.
    await page.getByLabel('Public keys (the output of dpm-printer init)').fill('{"encryption":{"privateKey":"x"},"signing":{"privateKey":"y"}}');
    await page.getByRole('button', { name: 'Register the printer' }).click();
    await expect.poll(() => page.getByText(/private key file. Never paste it anywhere/).count(), eventually).toBe(1);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(page, 'printer-register-mobile');

    await page.goto(`${t.platform.gatewayUrl}/printer/viewer`);
    await page.getByLabel('G-code file').setInputFiles(gcodeFile);
    await expect.poll(() => page.locator('#layer-label').textContent(), eventually).toContain(`Layer ${layers} of ${layers}`);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(page, 'printer-gcode-viewer-mobile');
    expect(problems).toEqual([]);
    await ctx.close();
  });
});
