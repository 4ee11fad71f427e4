// The printers' MQTT broker, standing in for AWS IoT Core: aedes over TCP and WebSocket, MQTT 3.1.1. Each thing
// connects with its own credentials (client id = thing name, as IoT policies require), and the topic ACL mirrors
// the IoT policy. Credentials are stored as scrypt hashes in the data directory and survive restarts; sessions and
// retained messages live in aedes' in-memory persistence and do not. Device shadows (iot-shadows.ts) are kept too,
// over MQTT and over the IoT data-plane HTTP API.
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { closeServer, listen, type LocalServer } from '../server.js';
import { ShadowRejected, ShadowStore } from './iot-shadows.js';
import { assertThingName, thingAcl, type ThingAcl } from './mqtt-acl.js';

export interface MqttBrokerOptions {
  port?: number;
  wsPort?: number;
  /** The IoT data-plane HTTP API (shadows, publish) for IoTDataPlaneClient. */
  dataPlanePort?: number;
  host?: string;
  dataDir: string;
}

interface Secret {
  salt: string;
  hash: string;
}

interface CredentialFile {
  things: Record<string, Secret & { revoked?: boolean }>;
  service?: Secret;
}

/** The platform's own identity: `$` cannot appear in a thing name, so it can never be claimed by a printer. */
export const serviceUsername = '$dpm-platform';
const serviceTopics = { publish: ['dpm/*', '$aws/things/*'], subscribe: ['dpm/*', '$aws/things/*'] };

const hashOf = (password: string, salt: string) => scryptSync(password, Buffer.from(salt, 'base64'), 32).toString('base64');

function authError(message: string, code: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code }) as AuthenticateError;
}

export async function startMqttBroker(opts: MqttBrokerOptions) {
  const host = opts.host ?? '127.0.0.1';
  await mkdir(opts.dataDir, { recursive: true });
  const file = join(opts.dataDir, 'credentials.json');
  const creds: CredentialFile = await readFile(file, 'utf8').then(
    (t) => JSON.parse(t) as CredentialFile,
    () => ({ things: {} }),
  );
  let saving = Promise.resolve();
  const save = () => {
    saving = saving.then(async () => {
      await writeFile(`${file}.tmp`, JSON.stringify(creds));
      await rename(`${file}.tmp`, file);
    });
    return saving;
  };
  const issue = (): { password: string; secret: Secret } => {
    const password = randomBytes(32).toString('base64url');
    const salt = randomBytes(16).toString('base64');
    return { password, secret: { salt, hash: hashOf(password, salt) } };
  };
  const matches = (secret: Secret, password: Buffer | undefined) =>
    !!password && timingSafeEqual(Buffer.from(hashOf(password.toString(), secret.salt), 'base64'), Buffer.from(secret.hash, 'base64'));

  /** A new admin token per start; the runtime hands it to the provisioning function only. */
  const adminToken = randomBytes(24).toString('base64url');
  const registerThing = async (thingName: string): Promise<{ username: string; password: string }> => {
    assertThingName(thingName);
    const { password, secret } = issue();
    creds.things[thingName] = secret;
    await save();
    return { username: thingName, password };
  };
  const service = issue();
  creds.service = service.secret;
  await save();

  const acls = new WeakMap<Client, ThingAcl>();
  const connected = new Set<string>();
  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      if (username === serviceUsername) {
        if (creds.service && matches(creds.service, password)) {
          acls.set(client, thingAcl('platform', serviceTopics));
          return done(null, true);
        }
        return done(authError('Bad username or password', 4), false);
      }
      const thing = username ? creds.things[username] : undefined;
      if (!username || !thing || thing.revoked || !matches(thing, password)) return done(authError('Bad username or password', 4), false);
      if (client.id !== username) return done(authError(`The client id must be the thing name ${username}`, 5), false);
      acls.set(client, thingAcl(username));
      done(null, true);
    },
    authorizePublish(client, packet, callback) {
      // A null client is the broker itself publishing; it may.
      if (!client) return callback(null);
      const acl = acls.get(client);
      callback(acl?.canPublish(packet.topic) ? null : new Error(`Not authorized to publish to ${packet.topic}`));
    },
    authorizeSubscribe(client, subscription, callback) {
      const acl = acls.get(client);
      // A refused subscription is granted with QoS 128 in the SUBACK, as AWS IoT does, instead of dropping the client.
      callback(null, acl?.canSubscribe(subscription.topic) ? subscription : null);
    },
  });
  // Shadows: printers use the MQTT topics, the platform the data-plane API; both reach the same store.
  const shadows = await ShadowStore.open(opts.dataDir);
  const shadowTopic = /^\$aws\/things\/([a-zA-Z0-9:_-]+)\/shadow\/(update|get|delete)$/;
  const respond = (topic: string, body: object) =>
    new Promise<void>((r) => broker.publish({ cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(body)), qos: 1, retain: false, dup: false }, () => r()));
  const applyUpdate = async (thing: string, request: unknown): Promise<object> => {
    const out = await shadows.update(thing, request);
    const base = `$aws/things/${thing}/shadow/update`;
    await respond(`${base}/accepted`, out.accepted);
    if (out.delta) await respond(`${base}/delta`, out.delta);
    await respond(`${base}/documents`, out.documents);
    return out.accepted;
  };
  broker.on('publish', (packet, client) => {
    const m = client ? shadowTopic.exec(packet.topic) : null;
    if (!m) return;
    const [, thing, op] = m;
    const base = `$aws/things/${thing}/shadow/${op}`;
    void (async () => {
      let request: unknown = {};
      try {
        request = packet.payload.length ? JSON.parse(packet.payload.toString()) : {};
        if (op === 'update') await applyUpdate(thing!, request);
        else if (op === 'get') await respond(`${base}/accepted`, shadows.get(thing!));
        else await respond(`${base}/accepted`, await shadows.delete(thing!));
      } catch (err) {
        const code = err instanceof ShadowRejected ? err.code : 400;
        const token = typeof (request as { clientToken?: unknown }).clientToken === 'string' ? { clientToken: (request as { clientToken: string }).clientToken } : {};
        await respond(`${base}/rejected`, { code, message: err instanceof SyntaxError ? 'Payload contains invalid json' : (err as Error).message, timestamp: Math.floor(Date.now() / 1000), ...token });
      }
    })();
  });

  broker.on('client', (c) => {
    if (c.id && creds.things[c.id]) connected.add(c.id);
  });
  broker.on('clientDisconnect', (c) => connected.delete(c.id));

  const tcp = createTcpServer((socket) => broker.handle(socket));
  const http = createHttpServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end('MQTT over WebSocket: connect with a WebSocket client (subprotocol mqtt)\n');
  });
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (ws) => {
    const stream = createWebSocketStream(ws);
    broker.handle(stream);
  });

  const dataPlane = createHttpServer((req, res) => void dataPlaneRequest(req, res));
  async function dataPlaneRequest(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) {
    const send = (status: number, body: object, errorType?: string) => {
      res.writeHead(status, { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
      res.end(JSON.stringify(body));
    };
    try {
      const url = new URL(req.url ?? '/', 'http://iot');
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      // The local stand-in for IoT Core's control plane: the platform (with the admin token) registers a thing and
      // gets its credentials back once. Devices never see this token.
      const admin = /^\/dpm-admin\/things\/([^/]+)\/credentials$/.exec(url.pathname);
      if (admin && req.method === 'POST') {
        if (req.headers.authorization !== `Bearer ${adminToken}`) return send(403, { message: 'The admin token is required' }, 'ForbiddenException');
        try {
          const creds = await registerThing(decodeURIComponent(admin[1]!));
          return send(200, { ...creds, endpoint: `mqtt://${host}:${port}` });
        } catch (err) {
          return send(400, { message: (err as Error).message }, 'InvalidRequestException');
        }
      }
      const shadow = /^\/things\/([^/]+)\/shadow$/.exec(url.pathname);
      const topic = /^\/topics\/(.+)$/.exec(url.pathname);
      if (shadow && !url.searchParams.get('name')) {
        const thing = decodeURIComponent(shadow[1]!);
        if (req.method === 'GET') return send(200, shadows.get(thing));
        if (req.method === 'POST') return send(200, await applyUpdate(thing, JSON.parse(body.toString() || '{}')));
        if (req.method === 'DELETE') return send(200, await shadows.delete(thing));
      }
      if (topic && req.method === 'POST') {
        const qos = Number(url.searchParams.get('qos') ?? 0) === 1 ? 1 : 0;
        await new Promise<void>((r) => broker.publish({ cmd: 'publish', topic: decodeURIComponent(topic[1]!), payload: body, qos, retain: url.searchParams.get('retain') === 'true', dup: false }, () => r()));
        return send(200, {});
      }
      send(404, { message: `No route for ${req.method} ${url.pathname} (named shadows are not supported locally)` }, 'ResourceNotFoundException');
    } catch (err) {
      if (err instanceof ShadowRejected) {
        const type = err.code === 404 ? 'ResourceNotFoundException' : err.code === 409 ? 'ConflictException' : 'InvalidRequestException';
        return send(err.code, { message: err.message }, type);
      }
      if (err instanceof SyntaxError) return send(400, { message: 'Payload contains invalid json' }, 'InvalidRequestException');
      send(500, { message: (err as Error).message }, 'InternalFailureException');
    }
  }

  const port = await listen(tcp, opts.port ?? 0, host, 'mqtt');
  let wsPort: number;
  let dataPlanePort: number;
  try {
    wsPort = await listen(http, opts.wsPort ?? 0, host, 'mqtt-ws');
    dataPlanePort = await listen(dataPlane, opts.dataPlanePort ?? 0, host, 'iot-data');
  } catch (err) {
    await closeServer(tcp);
    await closeServer(http).catch(() => undefined);
    await new Promise<void>((r) => broker.close(() => r()));
    throw err;
  }

  return {
    name: 'mqtt',
    url: `mqtt://${host}:${port}`,
    port,
    wsUrl: `ws://${host}:${wsPort}`,
    dataPlaneUrl: `http://${host}:${dataPlanePort}`,
    async health() {
      return { ok: !broker.closed, detail: `${connected.size} things connected` };
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise<void>((r) => broker.close(() => r()));
      await Promise.all([closeServer(tcp), closeServer(http), closeServer(dataPlane)]);
      await saving;
      await shadows.flush();
    },
    /** Registers a thing, or rotates its secret; the password is returned once and stored only as a hash. */
    registerThing,
    adminToken,
    async revokeThing(thingName: string): Promise<void> {
      const t = creds.things[thingName];
      if (!t) return;
      t.revoked = true;
      await save();
      // Like detaching a certificate in IoT Core: the thing loses its connection too.
      for (const c of Object.values((broker as unknown as { clients: Record<string, Client> }).clients)) if (c.id === thingName) c.close();
    },
    /** The platform's own identity: a new secret on every start, the same one for the whole run. */
    serviceCredentials: () => ({ username: serviceUsername, password: service.password }),
    connectedThings: () => [...connected],
  } satisfies LocalServer & Record<string, unknown>;
}
