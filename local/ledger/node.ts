// A single-node ledger speaking BigchainDB 2.2's HTTP API v1, so `bigchaindb-driver` works against it unchanged:
// same routes, status codes, error bodies and upper-case (Werkzeug-style) reason phrases.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen, type LocalServer } from '../server.js';
import { Ledger, LedgerStorageError, TxAlreadyPendingError, TxDroppedError, type LedgerStats } from './ledger.js';
import { serialize } from './serialize.js';
import { parseTransaction, TxRejectedError } from './validate.js';

export interface LedgerNodeOptions {
  port?: number;
  host?: string;
  dataDir: string;
  /** The longest a tx posted to an idle node waits for its block (default 50 ms); under load blocks go back to back. */
  blockIntervalMs?: number;
  /** Largest accepted request body; default 15 KiB, the nginx `client_max_body_size 15k` BigchainDB's docs recommend. */
  maxBodyBytes?: number;
  /** How long a commit-mode POST waits for its block before a 500 (Tendermint's broadcast_tx_commit timeout). */
  commitTimeoutMs?: number;
  /** Where operational messages (torn-tail repair, storage failures) go; default console.error. */
  log?: (line: string) => void;
}

export interface LedgerNodeStats extends LedgerStats {
  rssBytes: number;
}

export type LedgerNode = LocalServer & { stats(): LedgerNodeStats };

const VERSION = '2.2.2';
const DEFAULT_MAX_BODY = 15 * 1024;

// Werkzeug's reason phrases, upper-cased as BigchainDB's Flask 2.0 stack sends them (the driver surfaces them).
const REASONS: Record<number, string> = {
  200: 'OK',
  202: 'ACCEPTED',
  400: 'BAD REQUEST',
  404: 'NOT FOUND',
  405: 'METHOD NOT ALLOWED',
  413: 'REQUEST ENTITY TOO LARGE',
  500: 'INTERNAL SERVER ERROR',
  503: 'SERVICE UNAVAILABLE',
};

const MISSING = 'Missing required parameter in the JSON body or the post body or the query string';
const NOT_FOUND_URL =
  'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.';

/** A reqparse-style failure: `{"message": {"<param>": "<why>"}}` or `{"message": "Unknown arguments: ..."}`. */
class ParamError extends Error {
  override name = 'ParamError';
  constructor(readonly body: object) {
    super('bad query parameter');
  }
}

function send(res: ServerResponse, status: number, body: string, extraHeaders: Record<string, string> = {}) {
  res.statusCode = status;
  res.statusMessage = REASONS[status] ?? 'UNKNOWN';
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  for (const [k, v] of Object.entries(extraHeaders)) res.setHeader(k, v);
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown) {
  send(res, status, JSON.stringify(value) + '\n');
}

/** BigchainDB's `make_error`: `{"message": ..., "status": N}`. */
function sendError(res: ServerResponse, status: number, message = 'Not found') {
  sendJson(res, status, { message, status });
}

interface Params {
  get(name: string): string | undefined;
  required(name: string): string;
  strict(known: string[]): void;
}

function params(url: URL): Params {
  const q = url.searchParams;
  return {
    get: (name) => q.get(name) ?? undefined,
    required(name) {
      const v = q.get(name);
      if (v === null) throw new ParamError({ message: { [name]: MISSING } });
      return v;
    },
    strict(known) {
      const unknown = [...new Set(q.keys())].filter((k) => !known.includes(k));
      if (unknown.length) throw new ParamError({ message: `Unknown arguments: ${unknown.join(', ')}` });
    },
  };
}

function parseBool(name: string, v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  const l = v.toLowerCase();
  if (l === 'true') return true;
  if (l === 'false') return false;
  throw new ParamError({ message: { [name]: 'Boolean value must be "true" or "false" (lowercase)' } });
}

/** Python's int() as reqparse applies it to `limit`. */
function parseLimit(v: string | undefined): number {
  if (v === undefined) return 0;
  if (!/^\s*[+-]?\d+\s*$/.test(v)) throw new ParamError({ message: { limit: `invalid literal for int() with base 10: '${v}'` } });
  // Mongo treats a negative limit as "at most |n|".
  return Math.abs(Number.parseInt(v, 10));
}

function apiV1Info(prefix: string, host: string) {
  const docs = `https://docs.bigchaindb.com/projects/server/en/v${VERSION}/http-client-server-api.html`;
  return {
    assets: `${prefix}assets/`,
    blocks: `${prefix}blocks/`,
    docs,
    metadata: `${prefix}metadata/`,
    outputs: `${prefix}outputs/`,
    // BigchainDB advertises its event stream; this node has none, but the info document keeps the same shape.
    streams: `ws://${host}:9985/api/v1/streams/valid_transactions`,
    transactions: `${prefix}transactions/`,
    validators: `${prefix}validators`,
  };
}

class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) return Promise.reject(new BodyTooLargeError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startLedgerNode(opts: LedgerNodeOptions): Promise<LedgerNode> {
  const host = opts.host ?? '127.0.0.1';
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const commitTimeoutMs = opts.commitTimeoutMs ?? 30_000;
  const logLine = opts.log ?? ((line: string) => console.error(line));
  const { ledger } = await Ledger.open({ dataDir: opts.dataDir, blockIntervalMs: opts.blockIntervalMs, log: logLine });

  async function postTransaction(req: IncomingMessage, res: ServerResponse, p: Params) {
    const mode = p.get('mode') ?? 'async';
    if (mode !== 'async' && mode !== 'sync' && mode !== 'commit') {
      throw new ParamError({ message: { mode: 'Mode must be "async", "sync" or "commit"' } });
    }
    let raw: Buffer;
    try {
      raw = await readBody(req, maxBody);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        res.once('finish', () => req.destroy());
        send(res, 413, JSON.stringify({ message: `Request body is larger than the ${maxBody}-byte limit`, status: 413 }) + '\n', {
          Connection: 'close',
        });
        return;
      }
      throw err;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      sendJson(res, 400, { message: `Failed to decode JSON object: ${(err as Error).message}` });
      return;
    }
    let done: Promise<void>;
    try {
      const tx = parseTransaction(body);
      ledger.check(tx);
      done = ledger.admit(tx);
    } catch (err) {
      if (err instanceof TxRejectedError) return sendError(res, 400, err.httpMessage);
      if (err instanceof TxAlreadyPendingError) return sendError(res, 400, err.message);
      throw err;
    }
    if (mode === 'commit') {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LedgerStorageError('Timed out waiting for tx to be included in a block')), commitTimeoutMs);
      });
      try {
        await Promise.race([done, timeout]);
      } catch (err) {
        if (err instanceof TxDroppedError) return sendError(res, 500, err.message);
        if (err instanceof LedgerStorageError) return sendError(res, 500, `Internal error - ${err.message}`);
        throw err;
      } finally {
        clearTimeout(timer);
      }
    }
    send(res, 202, serialize(body) + '\n');
  }

  function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> | void {
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const p = params(url);
    const only = (allowed: string, fn: () => Promise<void> | void) => {
      if (method === allowed) return fn();
      sendJson(res, 405, { message: 'The method is not allowed for the requested URL.' });
    };

    if (path === '/') {
      return only('GET', () =>
        sendJson(res, 200, {
          api: { v1: apiV1Info('/api/v1/', host) },
          docs: `https://docs.bigchaindb.com/projects/server/en/v${VERSION}/`,
          software: 'BigchainDB',
          version: VERSION,
        }),
      );
    }
    if (!path.startsWith('/api/v1')) return sendJson(res, 404, { message: NOT_FOUND_URL });
    const sub = path.slice('/api/v1'.length);

    if (sub === '') return only('GET', () => sendJson(res, 200, apiV1Info('/', host)));
    if (sub === '/transactions') {
      if (method === 'POST') return postTransaction(req, res, p);
      return only('GET', () => {
        const operation = p.get('operation');
        let op: 'CREATE' | 'TRANSFER' | undefined;
        if (operation !== undefined) {
          const u = operation.toUpperCase();
          if (u !== 'CREATE' && u !== 'TRANSFER') throw new ParamError({ message: { operation: 'Operation must be "CREATE" or "TRANSFER"' } });
          op = u;
        }
        const assetId = p.required('asset_id');
        if (!/^[a-fA-F0-9]{64}$/.test(assetId)) throw new ParamError({ message: { asset_id: 'Invalid hash' } });
        const last = parseBool('last_tx', p.get('last_tx')) ?? false;
        send(res, 200, `[${ledger.listTransactions(assetId.toLowerCase(), op, last).join(',')}]\n`);
      });
    }
    const txMatch = /^\/transactions\/([^/]+)$/.exec(sub);
    if (txMatch) {
      return only('GET', () => {
        const json = ledger.getTransactionJson(decodeURIComponent(txMatch[1]!));
        if (json === undefined) return sendError(res, 404);
        send(res, 200, json + '\n');
      });
    }
    if (sub === '/outputs') {
      return only('GET', () => {
        const publicKey = p.required('public_key');
        if (!/^[1-9a-zA-Z]{43,44}$/.test(publicKey) || /[Il0O]/.test(publicKey)) {
          throw new ParamError({ message: { public_key: 'Invalid base58 ed25519 key' } });
        }
        const spent = parseBool('spent', p.get('spent'));
        p.strict(['public_key', 'spent']);
        sendJson(res, 200, ledger.listOutputs(publicKey, spent));
      });
    }
    if (sub === '/assets' || sub === '/metadata') {
      return only('GET', () => {
        const search = p.required('search');
        const limit = parseLimit(p.get('limit'));
        if (!search) return sendError(res, 400, 'text_search cannot be empty');
        sendJson(res, 200, sub === '/assets' ? ledger.searchAssets(search, limit) : ledger.searchMetadata(search, limit));
      });
    }
    if (sub === '/blocks') {
      return only('GET', () => {
        const txId = p.required('transaction_id');
        p.strict(['transaction_id']);
        const h = ledger.blockOf(txId);
        sendJson(res, 200, h === undefined ? [] : [h]);
      });
    }
    const blockMatch = /^\/blocks\/(\d+)$/.exec(sub);
    if (blockMatch) {
      return only('GET', () => {
        const height = Number(blockMatch[1]);
        const txs = Number.isSafeInteger(height) ? ledger.getBlock(height) : undefined;
        if (!txs) return sendError(res, 404);
        send(res, 200, `{"height":${height},"transactions":[${txs.join(',')}]}\n`);
      });
    }
    if (sub === '/validators') {
      return only('GET', () =>
        sendJson(res, 200, [{ public_key: { type: 'ed25519-base64', value: ledger.validatorKey }, voting_power: 10 }]),
      );
    }
    sendJson(res, 404, { message: NOT_FOUND_URL });
  }

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    // CORS is open, as BigchainDB's `CORS(app)`.
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT');
      const wanted = req.headers['access-control-request-headers'];
      if (wanted) res.setHeader('Access-Control-Allow-Headers', wanted);
      res.setHeader('Access-Control-Max-Age', '86400');
      return send(res, 200, '{}\n');
    }
    const url = new URL(req.url ?? '/', 'http://ledger.local');
    Promise.resolve()
      .then(() => route(req, res, url))
      .catch((err: unknown) => {
        if (res.headersSent) return;
        if (err instanceof ParamError) return sendJson(res, 400, err.body);
        if (err instanceof URIError) return sendError(res, 404);
        logLine(`ledger: ${req.method} ${url.pathname} failed: ${(err as Error).stack ?? String(err)}`);
        sendError(res, 500, 'Internal Server Error');
      });
  });

  let port: number;
  try {
    port = await listen(server, opts.port ?? 0, host, 'ledger');
  } catch (err) {
    await ledger.close();
    throw err;
  }
  const url = `http://${host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    name: 'ledger',
    url,
    port,
    async health() {
      return ledger.health();
    },
    stats() {
      return { ...ledger.stats(), rssBytes: process.memoryUsage.rss() };
    },
    close() {
      closing ??= (async () => {
        // Ledger first: it writes what is pending, so commit-mode requests still get their answer.
        await ledger.close();
        await closeServer(server);
      })();
      return closing;
    },
  };
}
