// `npm run ledger -- --port 9984 --data DIR`: the ledger node on its own, e.g. for the driver's own test suite.
import { parseArgs } from 'node:util';
import { startLedgerNode } from './node.js';

const usage = 'usage: npm run ledger -- --data DIR [--port 9984] [--host 127.0.0.1] [--block-interval-ms 50] [--max-body-bytes 15360]';

function fail(message: string): never {
  console.error(`ledger: ${message}\n${usage}`);
  process.exit(2);
}

function intArg(name: string, v: string | undefined, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min) fail(`--${name} must be an integer >= ${min}, got '${v}'`);
  return Number(v);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      'block-interval-ms': { type: 'string' },
      'max-body-bytes': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (err) {
  fail((err as Error).message);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
if (!values.data) fail('--data DIR is required (the ledger keeps its block log there)');
const port = intArg('port', values.port, 9984, 0);
if (port > 65535) fail(`--port must be at most 65535, got ${port}`);

try {
  const node = await startLedgerNode({
    port,
    host: values.host,
    dataDir: values.data,
    blockIntervalMs: intArg('block-interval-ms', values['block-interval-ms'], 50, 1),
    maxBodyBytes: intArg('max-body-bytes', values['max-body-bytes'], 15 * 1024, 1),
  });
  const s = node.stats();
  console.log(`ledger: BigchainDB-compatible node listening on ${node.url}/api/v1/ (height ${s.height}, ${s.transactions} txs, data in ${values.data})`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`ledger: ${signal}, shutting down`);
    node.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`ledger: shutdown failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (err) {
  const message = (err as Error).message;
  console.error(message.startsWith('ledger') ? message : `ledger: ${message}`);
  process.exit(1);
}
