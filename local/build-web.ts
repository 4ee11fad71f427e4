// Builds the web app (web/ → web/dist) when the build is missing or older than its sources, so `npm start` on a
// fresh checkout serves the current app without a separate step. Also `npm run build:web` (`--force` to rebuild).
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const webRoot = resolve(import.meta.dirname, '..', 'web');
export const webDist = join(webRoot, 'dist');
const stamp = join(webDist, '.built');

/** Newest modification time of the app's sources, and of the server schemas its API client is typed from. */
async function newestSource(): Promise<number> {
  let newest = 0;
  const visit = async (path: string) => {
    const s = await stat(path).catch(() => undefined);
    if (!s) return;
    if (s.isDirectory()) {
      for (const e of await readdir(path)) if (e !== 'dist' && e !== 'node_modules') await visit(join(path, e));
    } else newest = Math.max(newest, s.mtimeMs);
  };
  await visit(webRoot);
  return newest;
}

export async function webBuildIsFresh(): Promise<boolean> {
  const built = await stat(stamp).catch(() => undefined);
  return !!built && built.mtimeMs >= (await newestSource());
}

/**
 * Builds into a fresh directory and swaps it in, so a platform serving the old build never sees half of a new one.
 * Returns the build's duration in ms, or 0 if it was fresh.
 */
export async function buildWeb(opts: { force?: boolean; log?: (line: string) => void } = {}): Promise<number> {
  if (!opts.force && (await webBuildIsFresh())) return 0;
  const t0 = Date.now();
  opts.log?.('Building the web app (web/ → web/dist)…');
  const { build } = await import('vite');
  const out = join(webRoot, `.dist-${process.pid}-${Date.now()}`);
  // Vite keeps a NODE_ENV it finds (vitest sets `test`), and React then ships its development build (165 instead of
  // 103 KB gzipped in the main chunk): whoever asks, the build is the production one.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(webRoot, 'vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  await mkdir(out, { recursive: true });
  await writeFile(join(out, '.built'), new Date().toISOString());
  const old = join(webRoot, `.dist-old-${process.pid}-${Date.now()}`);
  await rename(webDist, old).catch(() => undefined);
  await rename(out, webDist);
  await rm(old, { recursive: true, force: true });
  return Date.now() - t0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ms = await buildWeb({ force: process.argv.includes('--force'), log: (l) => console.log(l) });
  console.log(ms ? `web/dist built in ${(ms / 1000).toFixed(1)} s` : 'web/dist is up to date');
}
