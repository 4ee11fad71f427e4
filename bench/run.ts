// `npm run bench [-- name ...]`: runs the benchmarks and writes one JSON report each to bench/results/.
import { runBundleBench } from './bundles.js';
import { runDesignsBench } from './designs.js';
import { runGatewayBench } from './gateway.js';
import { runLedgerBench } from './ledger.js';
import { runOrdersBench } from './orders.js';
import { runSlicingBench } from './slicing.js';
import { runVerifyBench } from './verify.js';
import { runWebBench } from './web.js';
import { writeReport } from './lib.js';

const benches: Record<string, () => Promise<object>> = {
  bundles: runBundleBench,
  gateway: () => runGatewayBench(),
  ledger: runLedgerBench,
  designs: runDesignsBench,
  slicing: runSlicingBench,
  orders: runOrdersBench,
  verify: runVerifyBench,
  web: runWebBench,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !(w in benches));
if (unknown.length) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
let failed = false;
for (const name of wanted.length ? wanted : Object.keys(benches)) {
  process.stdout.write(`bench ${name}… `);
  try {
    const report = await benches[name]!();
    const file = await writeReport(name, report);
    console.log(`done → ${file}`);
    console.log(JSON.stringify(report, null, 2));
  } catch (err) {
    failed = true;
    console.log(`failed: ${(err as Error).message}`);
  }
}
process.exit(failed ? 1 : 0);
