// The benchmarks' worker threads (printer agents, customers) answer their parent's requests one at a time, in order.
import { parentPort, type Worker } from 'node:worker_threads';

/** A reply a worker sends when a request failed; the parent's `ask` throws it again. */
export type ErrorReply = { kind: 'error'; message: string };

/** The parent's side: each reply answers the oldest request; a failed request, or the worker's own failure, throws. */
export function askWorker<Req, Rep extends { kind: string }>(worker: Worker): (req: Req) => Promise<Exclude<Rep, ErrorReply>> {
  const replies: ((r: Rep | ErrorReply) => void)[] = [];
  worker.on('message', (r: Rep | ErrorReply) => replies.shift()?.(r));
  const failed = new Promise<never>((_, reject) => worker.once('error', reject));
  // Nothing may be waiting when the worker fails; the next request still meets the failure.
  failed.catch(() => undefined);
  return (req) =>
    Promise.race([
      new Promise<Rep | ErrorReply>((resolve) => {
        replies.push(resolve);
        worker.postMessage(req);
      }),
      failed,
    ]).then((r) => {
      if (r.kind === 'error') throw new Error((r as ErrorReply).message);
      return r as Exclude<Rep, ErrorReply>;
    });
}

/** The worker's side: answers each request in turn, a thrown error as an ErrorReply. */
export function serveParent<Req, Rep>(answer: (req: Req) => Promise<Rep>) {
  parentPort!.on('message', (req: Req) => {
    void answer(req)
      .catch((err: unknown): ErrorReply => ({ kind: 'error', message: (err as Error).message }))
      .then((r) => parentPort!.postMessage(r));
  });
}

/** This thread's own CPU time so far, in seconds. */
export function threadCpuSeconds() {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1e6;
}
