// Gateway overhead: GET /health through the local gateway against a bare node:http server, in the same run,
// with the same load generator. Start-up: `npm start` until GET /health answers 200.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, load, spawnPlatform } from './lib.js';

// The baseline answers with the very bytes the platform's /health returned, so the ratio measures the gateway's
// work (routing, the payload-2.0 event, the handler, the response), not the size of the health report.
const bareServer = `
const http = require('node:http');
const body = process.env.BODY;
http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }); res.end(body); })
  .listen(Number(process.env.PORT), '127.0.0.1', () => process.send && process.send('ready'));
`;

export async function runGatewayBench(opts = { connections: 20, durationSeconds: 8 }) {
  const dataDir = await mkdtemp(join(tmpdir(), 'dpm-bench-'));
  const platform = await spawnPlatform(dataDir);
  const barePort = await freePort();
  const healthBody = await (await fetch(`${platform.gatewayUrl}/health`)).text();
  const bare = spawn(process.execPath, ['-e', bareServer], { env: { ...process.env, PORT: String(barePort), BODY: healthBody }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await new Promise((r) => bare.once('message', r));
  try {
    // Warm both up (module loading, JIT) before measuring.
    await load(`${platform.gatewayUrl}/health`, { connections: 4, durationSeconds: 2 });
    await load(`http://127.0.0.1:${barePort}/health`, { connections: 4, durationSeconds: 2 });
    const gateway = await load(`${platform.gatewayUrl}/health`, opts);
    const baseline = await load(`http://127.0.0.1:${barePort}/health`, opts);
    const ratio = gateway.requestsPerSecond / baseline.requestsPerSecond;
    return {
      gatewayOverhead: { target: 'ratio >= 0.5', pass: ratio >= 0.5 && gateway.non2xx === 0, ratio, gateway, bareNodeHttp: baseline, responseBytes: Buffer.byteLength(healthBody), ...opts },
      startup: { target: '< 15 s', pass: platform.startupMs < 15_000, msToHealthy: platform.startupMs },
    };
  } finally {
    bare.kill();
    const code = await platform.stop();
    if (code !== 0) console.error(`npm start exited with ${code} on SIGINT`);
    await rm(dataDir, { recursive: true, force: true });
  }
}
