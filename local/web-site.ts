// The local stand-in for the CloudFront distribution in front of the web app (infra/constructs/web-site.ts): built
// files from web/dist, `/config.json` from the running platform, and index.html for any page a browser navigates to
// (CloudFront answers S3's 404 with index.html), while `/api/*` goes to the API with the prefix stripped, as the
// distribution's `/api/*` behaviour does. Requests that ask for no HTML keep reaching the API at the root, as they
// would at the API Gateway's own URL, so the CLI, the printers and the tests see no difference.
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface WebSiteOptions {
  /** The Vite build output (web/dist). */
  dir: string;
  /** What the web app reads at start-up: where the API and Cognito are. */
  config: () => Record<string, unknown>;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.stl': 'model/stl',
  '.txt': 'text/plain; charset=utf-8',
};

const compressible = new Set(['.html', '.js', '.css', '.json', '.svg', '.webmanifest', '.txt']);

export function apiPath(pathname: string): string | undefined {
  if (pathname === '/api') return '/';
  return pathname.startsWith('/api/') ? pathname.slice(4) : undefined;
}

export function wantsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

/**
 * Answers a GET for the web app, or returns false to let the API have the request. Gzipped bodies are kept in memory
 * per file and modification time: the build output is small and fixed while the platform runs.
 */
export function webSite(opts: WebSiteOptions) {
  const root = normalize(opts.dir);
  const gz = new Map<string, { mtimeMs: number; body: Buffer }>();
  // The URL paths of the built files, listed again at most once a second: a request that is not for one of them
  // (every API call) costs a set lookup, not a file-system call, and a rebuild while the platform runs is picked up.
  let files = new Set<string>();
  let listedAt = -Infinity;
  let listing: Promise<void> | undefined;
  const relist = () =>
    (listing ??= readdir(root, { recursive: true, withFileTypes: true })
      .then((entries) => {
        files = new Set(entries.filter((e) => e.isFile()).map((e) => '/' + join(e.parentPath, e.name).slice(root.length + 1).split(sep).join('/')));
      })
      .catch(() => {
        files = new Set();
      })
      .finally(() => {
        listedAt = Date.now();
        listing = undefined;
      }));

  async function fileAt(pathname: string): Promise<{ path: string; size: number; mtimeMs: number } | undefined> {
    if (Date.now() - listedAt > 1000) await relist();
    if (!files.has(pathname)) return undefined;
    const path = join(root, ...pathname.split('/'));
    const s = await stat(path).catch(() => undefined);
    return s?.isFile() ? { path, size: s.size, mtimeMs: s.mtimeMs } : undefined;
  }

  async function send(req: IncomingMessage, res: ServerResponse, file: { path: string; size: number; mtimeMs: number }, cache: string): Promise<void> {
    const ext = extname(file.path);
    const headers: Record<string, string> = { 'content-type': types[ext] ?? 'application/octet-stream', 'cache-control': cache, 'x-content-type-options': 'nosniff' };
    if (compressible.has(ext) && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      let entry = gz.get(file.path);
      if (!entry || entry.mtimeMs !== file.mtimeMs) {
        entry = { mtimeMs: file.mtimeMs, body: gzipSync(await readFile(file.path), { level: 9 }) };
        gz.set(file.path, entry);
      }
      res.writeHead(200, { ...headers, 'content-encoding': 'gzip', vary: 'accept-encoding', 'content-length': String(entry.body.length) });
      res.end(req.method === 'HEAD' ? undefined : entry.body);
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': String(file.size) });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file.path).pipe(res);
  }

  return {
    async serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      if (pathname === '/config.json') {
        const text = JSON.stringify(opts.config());
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)) });
        res.end(req.method === 'HEAD' ? undefined : text);
        return true;
      }
      const file = pathname === '/' || pathname === '/index.html' ? undefined : await fileAt(pathname);
      if (file) {
        // Hashed build assets never change under one name; everything else is revalidated.
        await send(req, res, file, pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
        return true;
      }
      if (!wantsHtml(req) || pathname.startsWith('/assets/')) return false;
      const index = await fileAt('/index.html');
      if (!index) {
        const text = 'The web app is not built: run `npm run build:web` (npm start builds it when it is missing or stale).';
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
        res.end(text);
        return true;
      }
      await send(req, res, index, 'no-cache');
      return true;
    },
  };
}
