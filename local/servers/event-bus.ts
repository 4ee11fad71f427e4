// A local EventBridge bus speaking the JSON 1.1 protocol (`X-Amz-Target: AWSEvents.PutEvents`) for the unmodified
// EventBridgeClient. Accepted events are journaled (synced before PutEvents answers), matched against the rules with
// EventBridge's pattern semantics, and delivered to their targets with retries; deliveries still pending when the
// process stops are made after the next start, and final failures go to a dead-letter journal.
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { closeServer, listen, type LocalServer } from '../server.js';
import { AwsJsonError, awsJsonHandler } from './aws-json.js';
import { matchesPattern, validatePattern } from './event-pattern.js';
import { readJournal, rewriteJournal } from './journal.js';
import { localAccount, localRegion } from './local-aws.js';

export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface EventRuleTarget {
  pattern: Record<string, unknown>;
  target: (event: EventBridgeEvent) => Promise<void>;
}

export interface EventBusOptions {
  port?: number;
  host?: string;
  dataDir: string;
  busName: string;
  rules: Record<string, EventRuleTarget>;
  retry?: { attempts: number; baseDelayMs: number };
  onDeliveryError?: (rule: string, event: EventBridgeEvent, err: unknown, attempt: number) => void;
}

class EventsError extends AwsJsonError {}

type Journal = { op: 'put'; event: EventBridgeEvent; rules: string[] } | { op: 'done'; id: string; rule: string };

const maxEntryBytes = 256 * 1024;

export async function startEventBus(opts: EventBusOptions) {
  const host = opts.host ?? '127.0.0.1';
  const retry = opts.retry ?? { attempts: 8, baseDelayMs: 200 };
  for (const [name, r] of Object.entries(opts.rules)) {
    try {
      validatePattern(r.pattern);
    } catch (err) {
      throw new Error(`Event rule ${name}: ${(err as Error).message}`, { cause: err });
    }
  }
  await mkdir(opts.dataDir, { recursive: true });
  const journalPath = join(opts.dataDir, 'events.jsonl');
  const deadLetterPath = join(opts.dataDir, 'dead-letters.jsonl');

  // Deliveries that were journaled but not marked done before the last stop are owed.
  const owed = new Map<string, { event: EventBridgeEvent; rules: Set<string> }>();
  for (const entry of await readJournal<Journal>(journalPath)) {
    if (entry.op === 'put') owed.set(entry.event.id, { event: entry.event, rules: new Set(entry.rules.filter((r) => r in opts.rules)) });
    else owed.get(entry.id)?.rules.delete(entry.rule);
  }
  const carried = [...owed.values()].filter((o) => o.rules.size);
  const journal = await rewriteJournal<Journal>(
    journalPath,
    carried.map((o) => ({ op: 'put', event: o.event, rules: [...o.rules] })),
  );
  const record = (entry: Journal, durable: boolean) => journal.append(entry, durable);

  const stats = { published: 0, delivered: 0, failed: 0, pending: 0 };
  const inFlight = new Set<Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const idleWaiters: (() => void)[] = [];
  const settle = () => {
    if (stats.pending === 0) for (const w of idleWaiters.splice(0)) w();
  };

  const deliver = (ruleName: string, event: EventBridgeEvent) => {
    stats.pending++;
    const attempt = (n: number) => {
      if (closed) return; // owed again after the next start: the journal has no 'done' for it
      const run = (async () => {
        try {
          await opts.rules[ruleName]!.target(event);
          stats.delivered++;
          stats.pending--;
          await record({ op: 'done', id: event.id, rule: ruleName }, false);
          settle();
        } catch (err) {
          opts.onDeliveryError?.(ruleName, event, err, n);
          if (n >= retry.attempts) {
            stats.failed++;
            stats.pending--;
            await appendFile(deadLetterPath, JSON.stringify({ rule: ruleName, event, error: (err as Error).message, attempts: n }) + '\n');
            await record({ op: 'done', id: event.id, rule: ruleName }, false);
            settle();
            return;
          }
          const t = setTimeout(() => {
            timers.delete(t);
            attempt(n + 1);
          }, retry.baseDelayMs * 2 ** (n - 1));
          timers.add(t);
        }
      })();
      inFlight.add(run);
      void run.finally(() => inFlight.delete(run));
    };
    attempt(1);
  };

  for (const o of carried) for (const r of o.rules) deliver(r, o.event);

  const validateEntry = (e: Record<string, unknown>): string | undefined => {
    if ((e.EventBusName ?? 'default') !== opts.busName && e.EventBusName !== `arn:aws:events:${localRegion}:${localAccount}:event-bus/${opts.busName}`) return `Event bus ${String(e.EventBusName ?? 'default')} does not exist.`;
    if (typeof e.Source !== 'string' || !e.Source) return 'Parameter Source is not valid. Reason: Source is a required argument.';
    if (typeof e.DetailType !== 'string' || !e.DetailType) return 'Parameter DetailType is not valid. Reason: DetailType is a required argument.';
    if (typeof e.Detail !== 'string') return 'Parameter Detail is not valid. Reason: Detail is a required argument.';
    let detail: unknown;
    try {
      detail = JSON.parse(e.Detail);
    } catch {
      return 'Detail is malformed.';
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return 'Detail is malformed.';
    if (Buffer.byteLength(JSON.stringify(e)) > maxEntryBytes) return 'Entry size exceeds the 256 KB limit.';
    return undefined;
  };

  async function putEvents(b: Record<string, unknown>) {
    const entries = b.Entries as Record<string, unknown>[] | undefined;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) throw new EventsError('ValidationException', '1 validation error detected: Value at \'entries\' failed to satisfy constraint: Member must have length between 1 and 10');
    const results: Record<string, string>[] = [];
    const accepted: EventBridgeEvent[] = [];
    for (const e of entries) {
      const problem = validateEntry(e);
      if (problem) {
        results.push({ ErrorCode: problem.includes('does not exist') ? 'NotAuthorizedForSourceException' : 'MalformedDetail', ErrorMessage: problem });
        continue;
      }
      const event: EventBridgeEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': e.DetailType as string,
        source: e.Source as string,
        account: localAccount,
        time: typeof e.Time === 'string' || typeof e.Time === 'number' ? new Date(e.Time).toISOString().replace(/\.\d{3}Z$/, 'Z') : new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: localRegion,
        resources: (e.Resources as string[]) ?? [],
        detail: JSON.parse(e.Detail as string),
      };
      accepted.push(event);
      results.push({ EventId: event.id });
    }
    const routed = accepted.map((event) => ({ event, rules: Object.entries(opts.rules).filter(([, r]) => matchesPattern(r.pattern, event)).map(([n]) => n) }));
    // Journaled (and synced) before the answer: an accepted event is never lost to a crash.
    for (const r of routed) await record({ op: 'put', event: r.event, rules: r.rules }, false);
    await journal.sync();
    stats.published += accepted.length;
    for (const r of routed) for (const rule of r.rules) deliver(rule, r.event);
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  }

  const server = createServer(
    awsJsonHandler({
      targetPrefix: 'AWSEvents.',
      contentType: 'application/x-amz-json-1.1',
      maxBodyBytes: maxEntryBytes * 11,
      ops: {
        PutEvents: putEvents,
        DescribeEventBus: () => ({ Name: opts.busName, Arn: `arn:aws:events:${localRegion}:${localAccount}:event-bus/${opts.busName}` }),
      },
      errors: {
        unknownOperation: (op) => new EventsError('UnknownOperationException', `${op || '(no X-Amz-Target)'} is not supported by the local event bus`),
        notJson: () => new EventsError('SerializationException', 'The request body is not JSON'),
        tooLarge: () => new EventsError('ValidationException', 'The request is too large'),
        internalType: 'InternalException',
      },
    }),
  );

  const port = await listen(server, opts.port ?? 0, host, 'events');
  const url = `http://${host}:${port}`;
  return {
    name: 'events',
    url,
    port,
    async health() {
      return { ok: !closed, detail: `${stats.published} published, ${stats.pending} pending, ${stats.failed} dead-lettered` };
    },
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      await closeServer(server);
      await Promise.allSettled([...inFlight]);
      await journal.close();
    },
    stats: () => ({ ...stats }),
    /** Resolves when no delivery is pending. */
    idle(): Promise<void> {
      if (stats.pending === 0) return Promise.resolve();
      return new Promise((r) => idleWaiters.push(r));
    },
  } satisfies LocalServer & Record<string, unknown>;
}
