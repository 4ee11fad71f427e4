// `npm start`: the whole platform on this machine. Ctrl-C stops every component and child process.
import { readLocalConfig } from './local-config.js';
import { buildWeb } from './build-web.js';
import { startPlatform } from './runtime.js';

const t0 = Date.now();
const cfg = readLocalConfig();
const log = (e: Record<string, unknown>) => console.error(JSON.stringify(e));

try {
  // The web app builds (only when stale) while the servers start; a failed build leaves the API running.
  const web = buildWeb({ log: (l) => console.log(l) }).catch((err: Error) => {
    console.error(`The web app could not be built, the API runs without it: ${err.message}`);
    return -1;
  });
  const running = await startPlatform(cfg, log);
  await web;
  const lines = [
    '',
    `DPM is running (${((Date.now() - t0) / 1000).toFixed(1)} s). Data: ${cfg.DPM_DATA_DIR}`,
    '',
    `  Web app         ${running.gatewayUrl}/`,
    `  API gateway     ${running.gatewayUrl}   (GET /health; also under /api)`,
    ...Object.entries(running.urls)
      .filter(([name]) => name !== 'gateway')
      .map(([name, url]) => `  ${name.padEnd(15)} ${url}`),
    '',
    `  Cognito pool ${running.userPool.id}, app client ${running.userPool.clientId} (USER_PASSWORD_AUTH)`,
    '  Demo users (local only):',
    ...running.demoUsers.map((u) => `    ${u.group.padEnd(9)} ${u.username.padEnd(22)} ${u.password}`),
    '',
    'Press Ctrl-C to stop.',
  ];
  console.log(lines.join('\n'));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await running.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => void stop('SIGHUP'));
  // If whatever started us dies without passing a signal on, we are re-parented: shut down rather than linger.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stop('parent process exited');
  }, 1000).unref();
} catch (err) {
  console.error(`DPM could not start: ${(err as Error).message}`);
  process.exit(1);
}
