// The benchmark's simulated printers in a worker thread of their own. Printers are devices outside the platform: in
// the platform's thread their MQTT clients, print-file decryption, G-code simulation and report signing would take
// the CPU the platform is being measured on (one thread, saturated under load), and a second core would sit idle.
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { startPrinterAgent, type PrinterAgentOptions } from '../cli/printer-agent.js';
import { askWorker, serveParent, threadCpuSeconds } from './worker-rpc.js';

type Request = { kind: 'start'; options: PrinterAgentOptions } | { kind: 'cpu' } | { kind: 'stop' };
type Reply = { kind: 'started'; thing: string } | { kind: 'cpu'; seconds: number } | { kind: 'stopped' };

/** Starts printer agents in one worker thread; `cpuSeconds` is that thread's own CPU time so far. */
export async function startPrinterFleet() {
  const worker = new Worker(new URL(import.meta.url), { workerData: { fleet: true } });
  const ask = askWorker<Request, Reply>(worker);
  return {
    async add(options: PrinterAgentOptions) {
      await ask({ kind: 'start', options });
    },
    async cpuSeconds() {
      const r = await ask({ kind: 'cpu' });
      return r.kind === 'cpu' ? r.seconds : 0;
    },
    async stop() {
      await ask({ kind: 'stop' }).catch(() => undefined);
      await worker.terminate();
    },
  };
}

if (!isMainThread && (workerData as { fleet?: boolean } | undefined)?.fleet) {
  const agents: Awaited<ReturnType<typeof startPrinterAgent>>[] = [];
  serveParent<Request, Reply>(async (req) => {
    if (req.kind === 'cpu') return { kind: 'cpu', seconds: threadCpuSeconds() };
    if (req.kind === 'start') {
      agents.push(await startPrinterAgent(req.options));
      return { kind: 'started', thing: req.options.thing };
    }
    for (const a of agents.splice(0)) await a.stop().catch(() => undefined);
    return { kind: 'stopped' };
  });
}
