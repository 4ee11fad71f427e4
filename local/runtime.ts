// The embedded platform: every local server, provisioned from the platform description, with the same
// handler modules Lambda runs wired to routes, queues, event rules and workflow tasks. Only wiring lives here.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { platform, envName, type FunctionKey, type FunctionSpec } from '../infra/platform.js';
import { lambdaContext, startGateway, type GatewayRoute, type LambdaHandler } from './gateway.js';
import type { StreamingHandler } from '../functions/lib/stream.js';
import type { LocalConfig } from './local-config.js';
import { localNames } from './names.js';
import { provisionTables } from './provision-tables.js';
import type { ComponentHealth, LocalServer } from './server.js';
import { startCognito } from './servers/cognito.js';
import { webDist } from './build-web.js';
import { webSite } from './web-site.js';
import { startDynamoDb } from './servers/dynamodb.js';
import { startEventBus, type EventRuleTarget } from './servers/event-bus.js';
import { startKms } from './servers/kms.js';
import { localCredentials, localRegion } from './servers/local-aws.js';
import { startMqttBroker } from './servers/mqtt-broker.js';
import { startQueues } from './servers/queues.js';
import { startS3 } from './servers/s3.js';
import { startStepFunctions } from './servers/step-functions.js';
import { startLedgerNode } from './ledger/node.js';
import { demoUsers } from './demo-users.js';
import mqttClient from 'mqtt';

const repoRoot = resolve(import.meta.dirname, '..');

export interface RunningPlatform {
  gatewayUrl: string;
  components: LocalServer[];
  /** Every URL worth printing, by component. */
  urls: Record<string, string>;
  demoUsers: typeof demoUsers;
  userPool: { id: string; clientId: string; issuer: string };
  /** Route keys the gateway serves, and trigger keys the runtime wires (`queue:<q>`, `rule:<r>`, `workflowTask:<w>`). */
  served: { routes: string[]; triggers: string[] };
  invoke(functionKey: FunctionKey, event: unknown): Promise<unknown>;
  health(): Promise<Record<string, ComponentHealth>>;
  close(): Promise<void>;
}

type Log = (entry: Record<string, unknown>) => void;

export async function startPlatform(cfg: LocalConfig, log: Log = () => undefined): Promise<RunningPlatform> {
  const dir = cfg.DPM_DATA_DIR;
  await mkdir(dir, { recursive: true });
  await claimDataDir(dir);
  const started: LocalServer[] = [];
  const track = <T extends LocalServer>(s: T): T => {
    started.push(s);
    return s;
  };
  const host = cfg.DPM_HOST;

  try {
    // Independent servers start together; DynamoDB Local's JVM is the slowest.
    const [dynamo, s3, kms, cognito, mqtt, ledger] = await Promise.all([
      startDynamoDb({ port: cfg.DPM_PORT_DYNAMODB, host, dataDir: join(dir, 'dynamodb'), inMemory: cfg.DPM_DYNAMODB_STORAGE === 'memory', compilers: cfg.DPM_DYNAMODB_JIT }).then(track),
      startS3({
        port: cfg.DPM_PORT_S3,
        host,
        dataDir: join(dir, 's3'),
        buckets: Object.entries(platform.buckets).map(([k, b]) => ({ name: localNames.bucket(k), browserUploads: b.browserUploads })),
      }).then(track),
      startKms({ port: cfg.DPM_PORT_KMS, host, dataDir: join(dir, 'kms') }).then(track),
      startCognito({ port: cfg.DPM_PORT_COGNITO, host, dataDir: join(dir, 'cognito'), demoUsers: [...demoUsers] }).then(track),
      startMqttBroker({ port: cfg.DPM_PORT_MQTT, wsPort: cfg.DPM_PORT_MQTT_WS, dataPlanePort: cfg.DPM_PORT_IOT_DATA, host, dataDir: join(dir, 'mqtt') }).then(track),
      startLedgerNode({ port: cfg.DPM_PORT_LEDGER, host, dataDir: join(dir, 'ledger'), blockIntervalMs: cfg.DPM_LEDGER_BLOCK_MS }).then(track),
    ]);

    const ddb = new DynamoDBClient({ endpoint: dynamo.url, region: localRegion, credentials: localCredentials });
    await provisionTables(ddb, platform.tables, localNames.table);
    ddb.destroy();
    const keyIds: Record<string, string> = {};
    for (const [k, spec] of Object.entries(platform.keys)) {
      keyIds[k] = await kms.createKey({ alias: localNames.keyAlias(k), keySpec: spec.spec, keyUsage: spec.usage, description: spec.description });
    }

    const queues = track(
      await startQueues({ port: cfg.DPM_PORT_SQS, host, dataDir: join(dir, 'sqs'), queues: { ...platform.queues } }),
    );

    // The SDK's own per-service endpoint variables point the unmodified clients at the local servers.
    const env: Record<string, string> = {
      AWS_REGION: localRegion,
      AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
      AWS_ENDPOINT_URL_S3: s3.url,
      AWS_ENDPOINT_URL_KMS: kms.url,
      AWS_ENDPOINT_URL_SQS: queues.url,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.url,
      AWS_ENDPOINT_URL_IOT_DATA_PLANE: mqtt.dataPlaneUrl,
      S3_FORCE_PATH_STYLE: 'true',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: cfg.DPM_LOG === 'debug' ? 'DEBUG' : 'WARN',
      [envName.eventBus]: platform.eventBusName,
      [envName.userPool]: cognito.userPoolId,
      [envName.userPoolIssuer]: cognito.issuer,
      [envName.userPoolClientId]: cognito.clientId,
      [envName.ledgerUrl]: ledger.url,
      [envName.ledgerHeaders]: '{}',
      [envName.ledgerHeadersSecret]: '',
      [envName.printerIdentities]: JSON.stringify({ kind: 'local-broker', adminUrl: mqtt.dataPlaneUrl, token: mqtt.adminToken }),
      [envName.payments]: JSON.stringify({ kind: 'local' }),
      [envName.paymentWebhooks]: JSON.stringify({ kind: 'local', endpointSecret: cfg.DPM_STRIPE_WEBHOOK_SECRET }),
      ...(cfg.PORT ? { [envName.publicBaseUrl]: `http://localhost:${cfg.PORT}` } : {}),
    };
    for (const k of Object.keys(platform.tables)) env[envName.table(k)] = localNames.table(k);
    for (const k of Object.keys(platform.buckets)) env[envName.bucket(k)] = localNames.bucket(k);
    for (const k of Object.keys(platform.keys)) env[envName.key(k)] = keyIds[k]!;
    for (const k of Object.keys(platform.queues)) env[envName.queue(k)] = queues.queueUrl(k);

    const handlers = new Map<string, Promise<LambdaHandler>>();
    const handlerOf = (key: string): Promise<LambdaHandler> => {
      let h = handlers.get(key);
      if (!h) {
        const spec = (platform.functions as Record<string, FunctionSpec>)[key];
        if (!spec) throw new Error(`No function ${key} in the platform description`);
        h = import(pathToFileURL(join(repoRoot, spec.entry)).href).then((m: { handler?: LambdaHandler }) => {
          if (typeof m.handler !== 'function') throw new Error(`${spec.entry} does not export a handler`);
          return m.handler;
        });
        handlers.set(key, h);
      }
      return h;
    };
    // Triggers can fire while the platform is still starting (queued messages, executions resumed after a restart,
    // printers reconnecting); a handler must not load before every variable it reads is set, because a module that
    // failed to load stays failed for the life of the process.
    let markReady!: () => void;
    const ready = new Promise<void>((r) => (markReady = r));
    const invoke = async (key: string, event: unknown): Promise<unknown> => {
      await ready;
      const spec = (platform.functions as Record<string, FunctionSpec>)[key]!;
      const handler = await handlerOf(key);
      const ctx: Context = lambdaContext(key, randomUUID(), Date.now() + spec.timeoutSeconds * 1000);
      return handler(event, ctx);
    };

    const triggers: string[] = [];
    const detachers: (() => Promise<void>)[] = [];
    const ruleTargets: Record<string, EventRuleTarget> = {};
    const printerTopics: { topic: string; key: string }[] = [];
    for (const [key, spec] of Object.entries(platform.functions) as [string, FunctionSpec][]) {
      for (const t of spec.triggers) {
        if (t.kind === 'queue') {
          detachers.push(
            queues.attachConsumer(t.queue, async (records) => invoke(key, { Records: records }) as Promise<{ batchItemFailures?: { itemIdentifier: string }[] } | void>, {
              batchSize: t.batchSize,
              concurrency: t.maxConcurrency,
              onError: (err) => log({ level: 'error', msg: `${key} failed on a ${t.queue} batch`, error: (err as Error).message }),
            }),
          );
          triggers.push(`queue:${t.queue}->${key}`);
        } else if (t.kind === 'rule') {
          ruleTargets[`${t.rule}->${key}`] = {
            pattern: { ...platform.eventRules[t.rule].pattern },
            target: async (event) => {
              await invoke(key, event);
            },
          };
          triggers.push(`rule:${t.rule}->${key}`);
        } else if (t.kind === 'printerTopic') {
          printerTopics.push({ topic: t.topic, key });
          triggers.push(`printerTopic:${t.topic}->${key}`);
        } else {
          triggers.push(`workflowTask:${t.workflow}->${key}`);
        }
      }
    }
    // What an IoT topic rule does in AWS (SELECT *, topic() AS topic FROM '<filter>'), done by a broker subscription.
    if (printerTopics.length) {
      const service = mqtt.serviceCredentials();
      const listener = await mqttClient.connectAsync(mqtt.url, { ...service, clientId: 'dpm-topic-rules', protocolVersion: 4, reconnectPeriod: 1000 });
      for (const { topic } of printerTopics) await listener.subscribeAsync(topic, { qos: 1 });
      listener.on('message', (topic, payload) => {
        let message: Record<string, unknown>;
        try {
          message = JSON.parse(payload.toString()) as Record<string, unknown>;
        } catch {
          return; // IoT rules drop payloads that are not JSON when the SQL selects fields
        }
        for (const r of printerTopics) {
          if (!topicMatches(r.topic, topic)) continue;
          invoke(r.key, { ...message, topic }).catch((err: unknown) => log({ level: 'error', msg: `${r.key} failed on ${topic}`, error: (err as Error).message }));
        }
      });
      detachers.push(() => listener.endAsync());
    }

    const events = track(
      await startEventBus({
        port: cfg.DPM_PORT_EVENTS,
        host,
        dataDir: join(dir, 'events'),
        busName: platform.eventBusName,
        rules: ruleTargets,
        onDeliveryError: (rule, event, err, attempt) => log({ level: 'warn', msg: `Event ${event.id} to ${rule} failed (attempt ${attempt})`, error: (err as Error).message }),
      }),
    );
    env.AWS_ENDPOINT_URL_EVENTBRIDGE = events.url;

    const stateMachines: Parameters<typeof startStepFunctions>[0]['stateMachines'] = {};
    for (const [k, wf] of Object.entries(platform.workflows) as [string, { definition: string }][]) {
      stateMachines[k] = {
        name: localNames.stateMachine(k),
        definition: await readFile(join(repoRoot, wf.definition), 'utf8'),
        invokeTask: (functionRef, input) => invoke(functionRef, input),
      };
    }
    const sfn = track(await startStepFunctions({ port: cfg.DPM_PORT_SFN, host, dataDir: join(dir, 'sfn'), stateMachines }));
    env.AWS_ENDPOINT_URL_SFN = sfn.url;
    for (const k of Object.keys(platform.workflows)) env[envName.workflow(k)] = sfn.stateMachineArn(k);

    Object.assign(process.env, env);
    markReady();

    const routes: GatewayRoute[] = [];
    for (const [key, spec] of Object.entries(platform.functions) as [string, FunctionSpec][]) {
      for (const r of spec.routes) {
        routes.push({
          ...r,
          functionKey: key,
          timeoutSeconds: spec.timeoutSeconds,
          invoke: async (event, ctx) => (await handlerOf(key))(event, ctx),
          ...(spec.responseStreaming ? { stream: async (event, sink, ctx) => ((await handlerOf(key)) as unknown as StreamingHandler)(event, sink, ctx) } : {}),
        });
      }
    }
    const components = (): LocalServer[] => started;
    let localCache: { at: number; value: Promise<Record<string, ComponentHealth>> } | undefined;
    const localHealth = () => {
      const now = Date.now();
      if (!localCache || now - localCache.at >= 1000) localCache = { at: now, value: healthOf(components().filter((c) => c.name !== 'gateway')) };
      return localCache.value;
    };
    let merged: { handlerBody: string; local: object; result: APIGatewayProxyStructuredResultV2 } | undefined;
    const gateway = track(
      await startGateway({
        port: cfg.PORT,
        host,
        routes,
        authorizer: { issuer: cognito.issuer, jwksUrl: cognito.jwksUrl, audience: [cognito.clientId] },
        site: webSite({
          dir: webDist,
          config: () => ({
            apiBase: '/api',
            region: localRegion,
            userPoolId: cognito.userPoolId,
            userPoolClientId: cognito.clientId,
            cognitoEndpoint: cognito.url,
            publicBaseUrl: process.env[envName.publicBaseUrl],
          }),
        }),
        log: cfg.DPM_LOG === 'quiet' ? undefined : (e) => (e.level === 'error' || cfg.DPM_LOG === 'debug' ? log(e) : undefined),
        // The health handler reports what the cloud has too; locally every embedded server is a component as well.
        decorate: async (routeKey, result) => {
          if (routeKey !== 'GET /health' || !result.body) return result;
          // Probed at most once a second and merged once per distinct answer: health checks are polled hard.
          const local = await localHealth();
          if (merged && merged.handlerBody === result.body && merged.local === local) return merged.result;
          const report = JSON.parse(result.body) as { status: string; components: Record<string, unknown> };
          const all = { ...report.components, ...Object.fromEntries(Object.entries(local).map(([n, h]) => [`local:${n}`, h])) };
          const ok = report.status === 'ok' && Object.values(local).every((h) => h.ok);
          const decorated = { ...result, statusCode: ok ? 200 : 503, body: JSON.stringify({ status: ok ? 'ok' : 'degraded', components: all }) };
          merged = { handlerBody: result.body, local, result: decorated };
          return decorated;
        },
      }),
    );

    // With an automatic port the public host is known only now; the tagging step reads it on first use.
    process.env[envName.publicBaseUrl] ??= gateway.url;

    return {
      gatewayUrl: gateway.url,
      components: started,
      urls: Object.fromEntries([...started.map((s) => [s.name, s.url] as const), ['mqtt-ws', mqtt.wsUrl], ['iot-data', mqtt.dataPlaneUrl]]),
      demoUsers,
      userPool: { id: cognito.userPoolId, clientId: cognito.clientId, issuer: cognito.issuer },
      served: { routes: gateway.routeKeys(), triggers },
      invoke: (k, e) => invoke(k, e),
      health: () => healthOf(started),
      async close() {
        await Promise.all(detachers.map((d) => d()));
        await closeAll(started);
        await rm(join(dir, 'platform.pid'), { force: true });
      },
    };
  } catch (err) {
    await closeAll(started);
    await rm(join(dir, 'platform.pid'), { force: true });
    throw err;
  }
}

/** MQTT topic filter matching: `+` is one level, `#` the rest. */
function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

async function healthOf(servers: LocalServer[]): Promise<Record<string, ComponentHealth>> {
  const entries = await Promise.all(
    servers.map(async (s) => [s.name, await s.health().catch((e: Error) => ({ ok: false, detail: e.message }))] as const),
  );
  return Object.fromEntries(entries);
}

async function closeAll(servers: LocalServer[]): Promise<void> {
  // Reverse start order: the gateway stops taking requests before the stores behind it go away.
  for (const s of [...servers].reverse()) {
    await s.close().catch(() => undefined);
  }
  servers.length = 0;
}

/** One platform per data directory: a second `npm start` on the same data would corrupt both. */
async function claimDataDir(dir: string): Promise<void> {
  const pidFile = join(dir, 'platform.pid');
  const pid = Number(await readFile(pidFile, 'utf8').catch(() => ''));
  if (pid > 0 && pid !== process.pid) {
    try {
      process.kill(pid, 0);
      throw new Error(`Another platform (pid ${pid}) is already running on ${dir}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  await writeFile(pidFile, String(process.pid));
}
