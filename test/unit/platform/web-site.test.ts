// The local stand-in for the web distribution: built files, config.json, index.html for page navigations only, the
// API under /api and at the root, nothing outside the build directory.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPath, webSite } from '../../../local/web-site.js';

describe('web site', () => {
  let dir: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpm-web-'));
    await mkdir(join(dir, 'dist', 'assets'), { recursive: true });
    await writeFile(join(dir, 'dist', 'index.html'), '<!doctype html><title>DPM</title>');
    await writeFile(join(dir, 'dist', 'assets', 'app-abc.js'), 'console.log("app");'.repeat(50));
    await writeFile(join(dir, 'secret.txt'), 'outside the build');
    const site = webSite({ dir: join(dir, 'dist'), config: () => ({ apiBase: '/api', userPoolClientId: 'client-1' }) });
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      void site.serve(req, res, path).then((served) => {
        if (!served) {
          res.writeHead(418);
          res.end('api');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  const html = { accept: 'text/html,application/xhtml+xml' };

  it('maps /api/* to the API path and leaves other paths alone', () => {
    expect(apiPath('/api/orders/1')).toBe('/orders/1');
    expect(apiPath('/api')).toBe('/');
    expect(apiPath('/apiary')).toBeUndefined();
    expect(apiPath('/orders')).toBeUndefined();
  });

  it('serves index.html for any page a browser navigates to, and leaves API calls to the API', async () => {
    for (const path of ['/', '/designs/dsg_1', '/01/04359999000019/21/s1']) {
      const r = await fetch(base + path, { headers: html });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('text/html');
      expect(await r.text()).toContain('<title>DPM</title>');
    }
    const api = await fetch(`${base}/designs/dsg_1`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(418);
  });

  it('serves built files with long caching for hashed assets, gzipped when asked', async () => {
    const r = await fetch(`${base}/assets/app-abc.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toContain('immutable');
    expect(r.headers.get('content-type')).toContain('text/javascript');
    const raw = await new Promise<{ enc?: string; body: Buffer }>((resolve, reject) => {
      import('node:http').then(({ get }) =>
        get(`${base}/assets/app-abc.js`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ enc: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
        }).on('error', reject),
      );
    });
    expect(raw.enc).toBe('gzip');
    expect(gunzipSync(raw.body).toString()).toContain('console.log("app")');
    expect(raw.body.length).toBeLessThan(200);
    // A missing asset is a 404 from the API side, not index.html: a stale page must not get HTML for its script.
    expect((await fetch(`${base}/assets/gone.js`, { headers: html })).status).toBe(418);
  });

  it('serves config.json from the running platform, never cached', async () => {
    const r = await fetch(`${base}/config.json`);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(await r.json()).toEqual({ apiBase: '/api', userPoolClientId: 'client-1' });
  });

  it('never serves a file outside the build directory', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const r = await fetch(base + path);
      expect(await r.text()).not.toContain('outside the build');
    }
  });

  it('says how to build the app when there is no build', async () => {
    const empty = webSite({ dir: join(dir, 'nothing'), config: () => ({}) });
    const s = createServer((req, res) => void empty.serve(req, res, '/designs'));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const r = await fetch(`http://127.0.0.1:${(s.address() as { port: number }).port}/designs`, { headers: html });
    expect(r.status).toBe(503);
    expect(await r.text()).toContain('npm run build:web');
    await new Promise((r2) => s.close(r2));
  });
});
