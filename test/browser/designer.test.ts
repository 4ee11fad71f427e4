// The designer's part of the web app in Chromium: log in, fill in a new design with the keyboard alone (the file too,
// through the file chooser the keyboard opens), see the file drawn in the browser, upload it with the progress bar
// reaching 100 %, read the printability report and see the platform's preview drawn by WebGL; then publish a second
// version of the terms, see both versions, withdraw the design after confirming, and find it withdrawn on the
// dashboard. The console stays clean; screenshots at desktop and phone sizes go to test-results/browser/.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localNames } from '../../local/names.js';
import { localCredentials, localRegion } from '../../local/servers/local-aws.js';
import { DynamoDbDesignStore } from '../../shared/adapters/dynamodb-design-store.js';
import { binaryStl, box, torus } from '../support/meshes.js';
import { launchBrowser, newContext, screenshot, watchConsole } from '../support/browser.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

/** Polls a page-side value: this machine's browser tests share it with other work, so a second is not enough. */
const poll = <T>(read: () => Promise<T>, timeout = 30_000) => expect.poll(read, { timeout, interval: 100 });

/** Presses Tab until the focused element is the one wanted; fails if the keyboard never gets there. */
async function tabTo(page: Page, target: Locator, what: string, maxPresses = 40): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${what} cannot be reached with the Tab key`);
}

/**
 * Opens the file chooser from the keyboard: Space on the focused file input. Playwright intercepts choosers only once
 * its wait has started, and on a loaded machine the key can get there first: that chooser opens unseen (CI failed on
 * it once, waiting 30 s), so the key is pressed again, at most three times, each time on the input reached by Tab.
 */
async function chooseFileByKeyboard(page: Page, input: Locator, what: string) {
  for (let attempt = 1; ; attempt++) {
    await tabTo(page, input, what);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser', { timeout: 10_000 }).catch(() => undefined), page.keyboard.press('Space')]);
    if (chooser) return chooser;
    if (attempt >= 3) throw new Error(`${what}: Space opened no file chooser in 3 tries`);
  }
}

/** How many pixels of a viewer's canvas differ from its clear colour: more than a few means WebGL drew the model. */
function drawnPixels(viewer: Locator): Promise<number> {
  return viewer.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
    const copy = document.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    const ctx = copy.getContext('2d')!;
    ctx.drawImage(canvas, 0, 0);
    const { data } = ctx.getImageData(0, 0, copy.width, copy.height);
    const clear = [0xee, 0xf2, 0xf5];
    let drawn = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i]! - clear[0]!) + Math.abs(data[i + 1]! - clear[1]!) + Math.abs(data[i + 2]! - clear[2]!) > 30) drawn++;
    }
    return drawn / (copy.width * copy.height);
  });
}

describe('the designer area in the web app', () => {
  let t: TestPlatform;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  const email = `designer-${randomUUID().slice(0, 8)}@dpm.test`;
  const password = 'Web-designer-pass-1!';
  let designId = '';

  beforeAll(async () => {
    [t, { browser, close: closeBrowser }] = await Promise.all([startTestPlatform(), launchBrowser()]);
    const r = await t.api('/signup', undefined, { method: 'POST', body: JSON.stringify({ email, password, role: 'designer', displayName: 'Vase Maker' }) });
    expect(r.status).toBe(201);
  });
  afterAll(async () => {
    await closeBrowser?.();
    await t?.close();
  });

  async function logIn(page: Page) {
    await page.goto(`${t.platform.gatewayUrl}/login?next=/designer`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    // The login page's own address ends in ?next=/designer: wait for the path itself.
    await page.waitForURL((u) => u.pathname === '/designer');
    await page.getByRole('heading', { name: 'Your designs' }).waitFor();
  }

  it('creates a design by keyboard, uploads it with progress, shows its report and preview, versions its terms and withdraws it', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const problems = watchConsole(page);
    await logIn(page);

    // An empty dashboard says what to do.
    await poll(() => page.getByText('No designs yet.').count()).toBe(1);
    const royalties = page.locator('section.card', { has: page.getByRole('heading', { name: 'Royalties' }) }).locator('.big');
    await poll(() => royalties.textContent()).toMatch(/^Balance: €0\.00$/);

    await page.getByRole('link', { name: 'New design' }).click();
    await page.waitForURL(/\/designer\/designs\/new$/);
    await page.getByRole('heading', { name: 'New design' }).waitFor();

    // The whole form by keyboard, from the top of the page.
    await page.locator('#main').focus();
    await tabTo(page, page.getByLabel('Title'), 'the title');
    await page.keyboard.type('Spiral vase');
    await page.keyboard.press('Tab');
    await page.keyboard.type('A twisted vase, printed in vase mode.');
    await page.keyboard.press('Tab');
    await page.keyboard.type('vase, spiral');
    await tabTo(page, page.getByLabel('Price per print (€)'), 'the price');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('12.50');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('4');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('25');
    await tabTo(page, page.getByRole('checkbox', { name: 'TPU (flexible)' }), 'the TPU checkbox');
    await page.keyboard.press('Space');
    const stl = binaryStl(torus(40, 12, 160, 48)); // 15,360 triangles, 768 KB
    const chooser = await chooseFileByKeyboard(page, page.getByLabel('Design file (STL)'), 'the file input');
    await chooser.setFiles({ name: 'spiral-vase.stl', mimeType: 'model/stl', buffer: Buffer.from(stl) });

    // The file is read and drawn in the browser before anything is sent.
    const local = page.locator('.local-preview figure.viewer');
    await poll(() => local.getAttribute('data-state')).toBe('ready');
    expect(await local.getAttribute('data-triangles')).toBe('15360');
    expect(await page.locator('.local-preview > p').textContent()).toMatch(/^spiral-vase\.stl: 15,360 triangles, 104 × 104 × 24 mm, 0\.7 MB\./);

    // Record every value the upload's progress bar takes.
    await page.evaluate(() => {
      const w = window as unknown as { uploadProgress: number[] };
      w.uploadProgress = [];
      new MutationObserver(() => {
        const bar = document.querySelector<HTMLProgressElement>('progress[aria-label^="Uploading"]');
        if (bar && bar.value !== w.uploadProgress.at(-1)) w.uploadProgress.push(bar.value);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value', 'aria-label'] });
    });
    await tabTo(page, page.getByRole('button', { name: 'Create design and upload' }), 'the submit button');
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: 'Your design is listed' }).waitFor({ timeout: 60_000 });
    const progress = await page.evaluate(() => (window as unknown as { uploadProgress: number[] }).uploadProgress);
    expect(progress.at(-1)).toBe(1);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    const bar = page.getByRole('progressbar', { name: 'Uploaded spiral-vase.stl: 100 %' });
    expect(await bar.evaluate((el: HTMLProgressElement) => el.value / el.max)).toBe(1);
    // The result heading takes the focus, for keyboard and screen reader users.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Your design is listed');

    // Every field of the printability report, in words.
    const report = page.getByRole('region', { name: 'Printability report' });
    const fact = (name: string) => report.locator(`dt:text-is("${name}") + dd`).textContent();
    expect(await report.getByText('Printable: nothing stops this mesh').count()).toBe(1);
    expect(await fact('Watertight')).toBe('Yes: every edge joins exactly two faces.');
    expect(await fact('Size')).toMatch(/^104 × 104 × 24 mm/);
    expect(await fact('Volume')).toMatch(/^\d[\d,.]* cm³$/);
    expect(await fact('Weight, printed solid')).toMatch(/PLA [\d,.]+ g/);
    expect(await fact('Holes through the part')).toBe('1');
    expect(await fact('Mesh')).toContain('15,360 triangles');
    expect(await fact('Warnings')).toBe('None');

    // The platform's preview, drawn by WebGL.
    const preview = page.locator('figure.viewer', { has: page.getByRole('img', { name: 'Preview of Spiral vase' }) });
    await poll(() => preview.getAttribute('data-state')).toBe('ready');
    expect(Number(await preview.getAttribute('data-triangles'))).toBeGreaterThan(1000);
    expect(await drawnPixels(preview)).toBeGreaterThan(0.02);
    // Its controls work from the keyboard and say what they do.
    await preview.getByRole('button', { name: 'Auto-rotate' }).click();
    expect(await preview.getByRole('button', { name: 'Auto-rotate' }).getAttribute('aria-pressed')).toBe('false');
    await preview.getByRole('img', { name: 'Preview of Spiral vase' }).focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('+');
    await preview.getByRole('button', { name: 'Reset view' }).press('Enter');
    await screenshot(page, 'designer-new-design-listed');

    await page.getByRole('link', { name: 'Open the design’s page' }).click();
    // Not /designer/designs/new, where the link was clicked.
    await page.waitForURL((u) => /^\/designer\/designs\/[^/]+$/.test(u.pathname) && !u.pathname.endsWith('/new'));
    designId = new URL(page.url()).pathname.split('/').at(-1)!;
    await page.getByRole('heading', { name: /^Spiral vase/ }).waitFor();
    await poll(() => page.getByText('One version').count()).toBe(1);

    // A new version of the terms; both stay listed.
    await page.getByRole('button', { name: 'Edit terms' }).click();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'New version of the terms' }) });
    await form.getByLabel('Price per print (€)').fill('15');
    await form.getByLabel('Your royalty per print (€)').fill('20');
    await form.getByRole('button', { name: 'Publish new terms' }).click();
    expect(await form.getByText('Your royalty cannot be more than the price.').count()).toBe(1);
    await form.getByLabel('Your royalty per print (€)').fill('5');
    await form.getByRole('button', { name: 'Publish new terms' }).click();
    await poll(() => page.getByRole('status').filter({ hasText: 'Version 2 of the terms is published.' }).count()).toBe(1);
    await poll(() => page.getByText('2 versions').count()).toBe(1);
    const rows = page.locator('table:has(caption:text("2 versions")) tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toMatch(/^2current.*15[.,]00/);
    expect(await rows.nth(1).textContent()).toMatch(/^1.*12[.,]50/);

    // Withdrawal asks first; keeping it listed changes nothing.
    await page.getByRole('button', { name: 'Withdraw…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Withdraw “Spiral vase”?' });
    await dialog.waitFor();
    await screenshot(page, 'designer-withdraw-confirm');
    await dialog.getByRole('button', { name: 'Keep it listed' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.locator('h1 .badge').textContent()).toBe('Listed');
    await page.getByRole('button', { name: 'Withdraw…' }).click();
    await dialog.getByRole('button', { name: 'Withdraw the design' }).click();
    await poll(() => page.locator('h1 .badge').textContent()).toBe('Withdrawn');
    await poll(() => page.getByRole('status').filter({ hasText: /^Withdrawn from sale on / }).count()).toBe(1);
    await screenshot(page, 'designer-design-page');

    await page.getByRole('link', { name: 'Your designs' }).first().click();
    await page.waitForURL(/\/designer$/);
    const row = page.getByRole('row', { name: /Spiral vase/ });
    await poll(() => row.getByText('Withdrawn').count()).toBe(1);
    expect(await row.textContent()).toContain('0 of 25');
    await screenshot(page, 'designer-dashboard');

    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('fits a phone: dashboard and design page without sideways scrolling, the preview drawn', async () => {
    expect(designId).not.toBe('');
    const ctx = await newContext(browser, { mobile: true });
    const page = await ctx.newPage();
    const problems = watchConsole(page);
    await logIn(page);
    await page.getByRole('row', { name: /Spiral vase/ }).waitFor();
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(page, 'designer-dashboard-mobile');

    await page.goto(`${t.platform.gatewayUrl}/designer/designs/${designId}`);
    const preview = page.locator('figure.viewer');
    try {
      await preview.waitFor({ timeout: 30_000 });
      await poll(async () => `${await preview.getAttribute('data-state')}: ${await preview.textContent()}`).toMatch(/^ready: /);
    } catch (err) {
      await screenshot(page, 'designer-failed-mobile');
      throw new Error(`${(err as Error).message}\n${await page.locator('main').innerText()}`, { cause: err });
    }
    expect(await drawnPixels(preview)).toBeGreaterThan(0.02);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(page, 'designer-design-page-mobile');

    await page.goto(`${t.platform.gatewayUrl}/designer/designs/new`);
    await page.getByLabel('Title').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(page, 'designer-new-design-mobile');

    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('says “No preview yet” for a design ingested before previews existed, and shows a rejected upload with its reason', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const problems = watchConsole(page);
    await logIn(page);
    // Two more designs, made through the API with the signed-in designer's own token.
    const token = await page.evaluate(() => (JSON.parse(localStorage.getItem('dpm.session') ?? '{}') as { idToken?: string }).idToken);
    const make = async (title: string, stl: Uint8Array<ArrayBuffer>) => {
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const res = await fetch(`${t.platform.gatewayUrl}/designs`, { method: 'POST', headers: auth, body: JSON.stringify({ title, terms: { priceCents: 900, royaltyCents: 300, editionSize: 5, allowedMaterials: ['PLA'], commercialUse: false } }) });
      expect(res.status, await res.clone().text()).toBe(201);
      const created = (await res.json()) as {
        design: { designId: string };
        upload: { url: string; contentType: string };
      };
      expect((await fetch(created.upload.url, { method: 'PUT', headers: { 'content-type': created.upload.contentType }, body: stl })).status).toBe(200);
      expect((await fetch(`${t.platform.gatewayUrl}/designs/${created.design.designId}/ingest`, { method: 'POST', headers: auth })).status).toBe(200);
      return created.design.designId;
    };
    const legacyId = await make('Old bracket', binaryStl(box(40, 20, 5)));
    const rejectedId = await make('Open box', binaryStl(box(30, 30, 30).slice(18)));
    // As every design ingested before previews existed: a record without one.
    const dynamo = new DynamoDBClient({ endpoint: t.platform.urls.dynamodb, region: localRegion, credentials: localCredentials });
    const store = new DynamoDbDesignStore(dynamo, localNames.table('main'));
    const record = (await store.get(legacyId))!;
    const { preview: _dropped, ...old } = record;
    expect(await store.save({ ...old, revision: record.revision + 1 }, record.revision)).toBe(true);
    dynamo.destroy();

    await page.goto(`${t.platform.gatewayUrl}/designer/designs/${legacyId}`);
    const missing = page.locator('figure.viewer');
    await poll(() => missing.getAttribute('data-state')).toBe('missing');
    expect(await missing.textContent()).toBe('No preview yetThis design was ingested before previews were made.');
    expect(await page.getByRole('region', { name: 'Printability report' }).count()).toBe(1);

    await page.goto(`${t.platform.gatewayUrl}/designer/designs/${rejectedId}`);
    await page.getByRole('heading', { name: /^Open box/ }).waitFor();
    expect(await page.locator('h1 .badge').textContent()).toBe('Rejected');
    expect(await page.getByText(/^Not accepted: The design is not printable: 4 open edges/).count()).toBe(1);
    const report = page.getByRole('region', { name: 'Printability report' });
    expect(await report.locator('dt:text-is("Watertight") + dd').textContent()).toBe('No: 4 open edges.');
    expect(await report.locator('dt:text-is("Volume") + dd').textContent()).toBe('Not measured: the mesh is not watertight.');
    expect(await report.locator('dt:text-is("Warnings") + dd li').allTextContents()).toEqual(['4 open edges: the surface has holes']);
    // Its designer still sees what was refused.
    const preview = page.locator('figure.viewer');
    await poll(() => preview.getAttribute('data-state')).toBe('ready');
    expect(await drawnPixels(preview)).toBeGreaterThan(0.02);
    await screenshot(page, 'designer-rejected-design');

    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('tells a browser without WebGL what to do instead of drawing nothing', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    // As with hardware acceleration turned off: no WebGL context of any kind.
    await page.addInitScript(() => {
      const getContext = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement, kind: string, ...rest: unknown[]) {
        return /webgl/.test(kind) ? null : (getContext as (...a: unknown[]) => unknown).call(this, kind, ...rest);
      } as typeof getContext;
    });
    const problems = watchConsole(page);
    await logIn(page);
    await page.goto(`${t.platform.gatewayUrl}/designer/designs/${designId}`);
    const viewer = page.locator('figure.viewer');
    await poll(() => viewer.getAttribute('data-state')).toBe('error');
    expect(await viewer.getByRole('alert').textContent()).toBe(
      'Your browser cannot draw 3D here: WebGL is turned off or not supported. Turn on hardware acceleration in the browser’s settings, or open this page in another browser.',
    );
    // Retrying cannot help, so it is not offered; the rest of the page works.
    expect(await viewer.getByRole('button', { name: 'Try again' }).count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Printability report' }).count()).toBe(1);
    expect(problems).toEqual([]);
    await ctx.close();
  });
});
