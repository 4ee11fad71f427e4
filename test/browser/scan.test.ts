// /scan with a camera: Chromium's fake camera plays a Y4M video of a product's QR code (drawn here with the qrcode
// package), the page reads it from the video frames (jsqr: Chromium on Linux has no BarcodeDetector) and opens the
// product page. Also: a browser without a camera is told what to do, and a pasted link that is not DPM's is refused
// in words.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import QRCode from 'qrcode';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { artifactsDir, chromiumPath, launchBrowser, newContext, screenshot, watchConsole } from '../support/browser.js';
import { deliverTaggedProduct, type DeliveredProduct } from '../support/delivered-product.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

// Pages answer within a second on an idle machine; a shared, loaded one needs patience, not a different test.
vi.setConfig({ expect: { poll: { timeout: 15_000, interval: 100 } } });

/** A few frames of 4:2:0 Y4M video showing `text` as a QR code, black on white, centred. */
export function qrVideo(text: string, width = 640, height = 480, frames = 3): Buffer {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const quiet = 4;
  const scale = Math.floor((Math.min(width, height) * 0.9) / (n + 2 * quiet));
  const size = (n + 2 * quiet) * scale;
  const left = Math.floor((width - size) / 2);
  const top = Math.floor((height - size) / 2);
  const y = Buffer.alloc(width * height, 235);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) {
      if (!qr.modules.get(r, c)) continue;
      for (let dy = 0; dy < scale; dy++) y.fill(16, (top + (r + quiet) * scale + dy) * width + left + (c + quiet) * scale, (top + (r + quiet) * scale + dy) * width + left + (c + quiet + 1) * scale);
    }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma]);
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`), ...Array.from({ length: frames }, () => frame)]);
}

describe('scanning a product’s QR code', () => {
  let t: TestPlatform;
  let product: DeliveredProduct;
  let plain: { browser: Browser; close(): Promise<void> };

  beforeAll(async () => {
    [t, plain] = await Promise.all([startTestPlatform(), launchBrowser()]);
    product = await deliverTaggedProduct(t);
  });
  afterAll(async () => {
    await product?.agent.stop();
    await plain?.close();
    await t?.close();
  });

  it('reads the QR code from the camera and opens the product page', async () => {
    await mkdir(artifactsDir, { recursive: true });
    const video = join(t.dataDir, 'qr.y4m');
    await writeFile(video, qrVideo(product.printedUrl));
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-dev-shm-usage', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
    });
    try {
      const ctx = await newContext(browser, { mobile: true });
      await ctx.grantPermissions(['camera'], { origin: t.platform.gatewayUrl });
      const page = await ctx.newPage();
      const problems = watchConsole(page);
      await page.goto(`${t.platform.gatewayUrl}/scan`);
      await page.getByRole('button', { name: 'Scan with the camera' }).click();
      await page.waitForURL((u) => u.pathname === new URL(product.printedUrl).pathname, { timeout: 30_000 });
      expect(new URL(page.url()).search).toBe(new URL(product.printedUrl).search);
      await page.locator('section.verdict[data-verdict="authentic"]').waitFor();
      // The camera is released once the code is read.
      expect(await page.evaluate(() => document.querySelectorAll('video').length)).toBe(0);
      await screenshot(page, 'scan-opened-product-mobile');
      expect(problems).toEqual([]);
      await ctx.close();
    } finally {
      await browser.close();
    }
  });

  it('explains a missing camera, and refuses a link that is not a DPM product while opening one that is', async () => {
    const ctx = await newContext(plain.browser, { mobile: true });
    const page = await ctx.newPage();
    const problems = watchConsole(page);
    await page.goto(`${t.platform.gatewayUrl}/scan`);
    // Headless Chromium without a fake device has no camera (or refuses it): either way the page says what to do.
    await page.getByRole('button', { name: 'Scan with the camera' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/paste the link/i);
    await screenshot(page, 'scan-no-camera-mobile');

    await page.getByLabel('Product link').fill('https://example.com/01/04359999000017/21/abc?s=x');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('alert').last().textContent()).toContain('not to DPM');
    await page.getByLabel('Product link').fill('hello there');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').last().textContent()).toContain('not a web link');

    await page.getByLabel('Product link').fill(product.printedUrl);
    await page.keyboard.press('Enter');
    await page.locator('section.verdict[data-verdict="authentic"]').waitFor();
    expect(problems).toEqual([]);
    await ctx.close();
  });
});
