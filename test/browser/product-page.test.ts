// The public product page, as a phone opens it from a product's QR code or NFC tag: an order is driven to a delivered,
// tagged product, then its Digital Link is opened in a mobile viewport without logging in. The verdict, the timeline
// with each ledger transaction, the clone and forgery verdicts, the certificate's QR code, the JavaScript the page
// loads (gzipped, against the 300 KB budget) and a clean console.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import jsqr from 'jsqr';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { webDist } from '../../local/build-web.js';
import { deliverTaggedProduct, type DeliveredProduct } from '../support/delivered-product.js';
import { launchBrowser, newContext, screenshot, watchConsole } from '../support/browser.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

// Pages answer within a second on an idle machine; a shared, loaded one needs patience, not a different test.
vi.setConfig({ expect: { poll: { timeout: 15_000, interval: 100 } } });

// jsqr is CommonJS: under NodeNext its default import is the module, whose `default` is the decoder.
const jsQR = jsqr.default;

/** The product page's budget: gzipped JavaScript a phone downloads to show a verdict. */
const jsBudgetBytes = 300 * 1024;

/** The scripts a page loads from the site, and their gzipped size as the site serves them. */
function recordScripts(page: Page): () => Promise<{ files: string[]; gzipBytes: number }> {
  const urls = new Set<string>();
  page.on('request', (r) => {
    if (r.resourceType() === 'script') urls.add(new URL(r.url()).pathname);
  });
  return async () => {
    let gzipBytes = 0;
    for (const path of urls) gzipBytes += gzipSync(await readFile(join(webDist, path))).byteLength;
    return { files: [...urls].sort(), gzipBytes };
  };
}

async function verdictOf(page: Page): Promise<string | null> {
  const v = page.locator('section.verdict');
  await v.waitFor({ timeout: 30_000 });
  return v.getAttribute('data-verdict');
}

describe('the product page a QR scan opens', () => {
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

  it('shows an authentic product’s verdict, why, and its memory with ledger links, within the JS budget, on a phone', async () => {
    const ctx = await newContext(browser, { mobile: true });
    const page = await ctx.newPage();
    const problems = watchConsole(page);
    const scripts = recordScripts(page);
    const api = (await (await fetch(product.printedUrl, { headers: { accept: 'application/json' } })).json()) as { memory: { txId: string; url: string; step: string }[] };

    await page.goto(product.printedUrl);
    expect(await verdictOf(page)).toBe('authentic');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Authentic');
    expect(await page.title()).toContain('Authentic');
    const why = await page.locator('.checks').innerText();
    expect(why).toContain('Signature: passed');
    expect(why).toContain('Ledger: passed');
    // The printed code alone: the NFC tag is said not to have been checked.
    expect(why).toContain('NFC tag: not checked');

    const steps = page.locator('.timeline-step');
    expect(await steps.count()).toBe(5);
    expect(await steps.evaluateAll((els) => els.map((e) => e.getAttribute('data-step')))).toEqual(['design.registered', 'product.printed', 'product.tagged', 'product.shipped', 'product.delivered']);
    const hrefs = await page.locator('.timeline-step a.tx-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual(api.memory.map((m) => m.url));
    for (const h of hrefs) expect((await fetch(h!)).status).toBe(200);
    expect(await page.locator('.timeline').innerText()).toContain('Material lot');

    // No horizontal scrolling on a 390 px phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const { files, gzipBytes } = await scripts();
    console.log(`product page JS: ${gzipBytes} bytes gzipped in ${files.length} files (${files.join(', ')})`);
    expect(gzipBytes).toBeLessThan(jsBudgetBytes);
    // Neither the sign-in SDK nor the 3D viewer comes with the product page.
    expect(files.join(' ')).not.toMatch(/cognito|three|viewer/i);
    for (const f of files) expect(await readFile(join(webDist, f), 'utf8')).not.toContain('InitiateAuthCommand');
    await screenshot(page, 'product-authentic-mobile');

    // The certificate: the verdict, the ids, every transaction id and a QR code of the product's printed link.
    // From the keyboard: a real button, reached by focus and pressed with Enter.
    await page.getByRole('button', { name: 'Certificate of authenticity' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Certificate of authenticity' }).waitFor();
    const qr = page.getByRole('img', { name: /QR code/ });
    await qr.waitFor();
    const text = await page.locator('article.certificate').innerText();
    for (const m of api.memory) expect(text).toContain(m.txId);
    expect(text).toContain(product.tag.serial);
    expect(text).toContain('Date checked');
    const pixels = await qr.evaluate((img: HTMLImageElement) => {
      const c = document.createElement('canvas');
      c.width = c.height = 360;
      const g = c.getContext('2d')!;
      g.fillStyle = '#fff';
      g.fillRect(0, 0, 360, 360);
      g.drawImage(img, 0, 0, 360, 360);
      return Array.from(g.getImageData(0, 0, 360, 360).data);
    });
    expect(jsQR(Uint8ClampedArray.from(pixels), 360, 360)?.data).toBe(product.printedUrl);
    await screenshot(page, 'product-certificate-mobile');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.top').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Print the certificate' }).isVisible()).toBe(false);
    await screenshot(page, 'product-certificate-print');

    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('says "possible clone" when the same NFC tap is opened twice, and "not authentic" for a tampered signature', async () => {
    const ctx = await newContext(browser, { mobile: true });
    const page = await ctx.newPage();
    const problems = watchConsole(page);
    const tap = product.tap();

    await page.goto(tap);
    expect(await verdictOf(page)).toBe('authentic');
    expect(await page.locator('.checks').innerText()).toContain('NFC tag: passed');

    // The same URL again (a copied link, a cloned tag): the counter was seen before.
    const again = await ctx.newPage();
    problems.push(...watchConsole(again));
    await again.goto(tap);
    expect(await verdictOf(again)).toBe('possible-clone');
    await expect.poll(() => again.getByRole('heading', { level: 1 }).textContent()).toBe('Possible clone');
    expect(await again.locator('.checks').innerText()).toContain('NFC tag: failed');
    await screenshot(again, 'product-possible-clone-mobile');

    const forged = new URL(product.printedUrl);
    forged.searchParams.set('s', Buffer.alloc(64, 1).toString('base64url'));
    await page.goto(forged.toString());
    expect(await verdictOf(page)).toBe('not-authentic');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Not authentic');
    expect(await page.locator('.checks').innerText()).toContain('Signature: failed');
    await screenshot(page, 'product-not-authentic-mobile');

    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('explains an unknown product in words, with a way on', async () => {
    const ctx = await newContext(browser, { mobile: true });
    const page = await ctx.newPage();
    const problems = watchConsole(page, (text) => /status of 404/.test(text));
    await page.goto(`${t.platform.gatewayUrl}/01/${product.tag.gtin}/21/no-such-serial?s=abc`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('No product carries GTIN');
    expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(1);
    expect(problems).toEqual([]);
    await ctx.close();
  });
});
