// The printers' broker with real mqtt clients over TCP and WebSocket: per-thing credentials, the topic ACL, the
// platform's identity, and credentials that survive a restart.
import { GetThingShadowCommand, IoTDataPlaneClient, PublishCommand, UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane';
import mqtt, { type MqttClient } from 'mqtt';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMqttBroker } from '../../../local/servers/mqtt-broker.js';

describe('local MQTT broker', () => {
  let dir: string;
  let broker: Awaited<ReturnType<typeof startMqttBroker>>;
  const clients: MqttClient[] = [];
  const connect = async (url: string, username: string, password: string, clientId = username) => {
    const c = await mqtt.connectAsync(url, { username, password, clientId, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000 });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpm-mqtt-'));
    broker = await startMqttBroker({ port: 0, wsPort: 0, dataDir: dir });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await broker.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lets a thing use its own topics over TCP, and the platform receive its telemetry over WebSocket', async () => {
    const p1 = await broker.registerThing('printer-1');
    const platform = broker.serviceCredentials();
    const svc = await connect(broker.wsUrl, platform.username, platform.password, 'dpm-platform-test');
    await svc.subscribeAsync('dpm/printers/+/telemetry', { qos: 1 });
    const got = new Promise<[string, string]>((r) => svc.once('message', (t, m) => r([t, m.toString()])));
    const thing = await connect(broker.url, p1.username, p1.password);
    await thing.publishAsync('dpm/printers/printer-1/telemetry', JSON.stringify({ layer: 3 }), { qos: 1 });
    expect(await got).toEqual(['dpm/printers/printer-1/telemetry', '{"layer":3}']);
    expect(broker.connectedThings()).toEqual(['printer-1']);
  });

  it('refuses another thing’s topics: SUBACK 128 for a subscription, disconnection for a publish', async () => {
    const p2 = await broker.registerThing('printer-2');
    const thing = await connect(broker.url, p2.username, p2.password);
    const granted = await thing.subscribeAsync('dpm/printers/printer-2/jobs', { qos: 1 });
    expect(granted[0]?.qos).toBe(1);
    await expect(thing.subscribeAsync('dpm/printers/printer-1/jobs', { qos: 1 })).rejects.toThrow();
    const closed = new Promise<void>((r) => thing.once('close', () => r()));
    thing.publish('dpm/printers/printer-1/telemetry', 'spoof', { qos: 1 });
    await closed;
  });

  it('refuses wrong passwords, unknown things, a client id that is not the thing name, and revoked things', async () => {
    const p3 = await broker.registerThing('printer-3');
    await expect(connect(broker.url, p3.username, 'wrong')).rejects.toThrow(/Bad username or password/);
    await expect(connect(broker.url, 'ghost', 'x')).rejects.toThrow(/Bad username or password/);
    await expect(connect(broker.url, p3.username, p3.password, 'someone-else')).rejects.toThrow(/Not authorized/);
    const ok = await connect(broker.url, p3.username, p3.password);
    const closed = new Promise<void>((r) => ok.once('close', () => r()));
    await broker.revokeThing('printer-3');
    await closed;
    await expect(connect(broker.url, p3.username, p3.password)).rejects.toThrow(/Bad username or password/);
    await expect(broker.registerThing('bad name')).rejects.toThrow('Invalid thing name');
  });

  it('keeps thing credentials across a restart', async () => {
    const p4 = await broker.registerThing('printer-4');
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
    await broker.close();
    broker = await startMqttBroker({ port: 0, wsPort: 0, dataDir: dir });
    const thing = await connect(broker.url, p4.username, p4.password);
    expect(thing.connected).toBe(true);
  });
});

describe('device shadows and the IoT data plane', () => {
  let dir: string;
  let broker: Awaited<ReturnType<typeof startMqttBroker>>;
  let thing: MqttClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpm-shadow-'));
    broker = await startMqttBroker({ port: 0, wsPort: 0, dataPlanePort: 0, dataDir: dir });
    const creds = await broker.registerThing('printer-9');
    thing = await mqtt.connectAsync(broker.url, { ...creds, clientId: 'printer-9', protocolVersion: 4, reconnectPeriod: 0 });
    await thing.subscribeAsync('$aws/things/printer-9/shadow/#', { qos: 1 });
    await thing.subscribeAsync('dpm/printers/printer-9/jobs', { qos: 1 });
  });

  afterAll(async () => {
    await thing.endAsync(true);
    await broker.close();
    await rm(dir, { recursive: true, force: true });
  });

  const next = (topic: string) => new Promise<unknown>((r) => {
    const on = (t: string, m: Buffer) => {
      if (t !== topic) return;
      thing.off('message', on);
      r(JSON.parse(m.toString()));
    };
    thing.on('message', on);
  });
  const dataPlane = () => new IoTDataPlaneClient({ endpoint: broker.dataPlaneUrl, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

  it('accepts a reported state from the device and shows it to the platform', async () => {
    const accepted = next('$aws/things/printer-9/shadow/update/accepted');
    await thing.publishAsync('$aws/things/printer-9/shadow/update', JSON.stringify({ state: { reported: { status: 'idle', nozzleC: 24, material: { type: 'PLA', levelPct: 80 } } }, clientToken: 't1' }), { qos: 1 });
    expect(await accepted).toMatchObject({ state: { reported: { status: 'idle' } }, version: 1, clientToken: 't1' });
    const out = await dataPlane().send(new GetThingShadowCommand({ thingName: 'printer-9' }));
    const doc = JSON.parse(Buffer.from(out.payload!).toString());
    expect(doc).toMatchObject({ state: { reported: { status: 'idle', nozzleC: 24, material: { type: 'PLA', levelPct: 80 } } }, version: 1 });
  });

  it('sends the device a delta when the platform changes the desired configuration', async () => {
    const delta = next('$aws/things/printer-9/shadow/update/delta');
    await dataPlane().send(new UpdateThingShadowCommand({ thingName: 'printer-9', payload: Buffer.from(JSON.stringify({ state: { desired: { status: 'idle', maxNozzleC: 260 } } })) }));
    expect(await delta).toMatchObject({ state: { maxNozzleC: 260 } });
    const doc = JSON.parse(Buffer.from((await dataPlane().send(new GetThingShadowCommand({ thingName: 'printer-9' }))).payload!).toString());
    expect(doc.state.delta).toEqual({ maxNozzleC: 260 });
  });

  it('merges nested updates, deletes with null, and rejects bad requests on /rejected', async () => {
    const accepted = next('$aws/things/printer-9/shadow/update/accepted');
    await thing.publishAsync('$aws/things/printer-9/shadow/update', JSON.stringify({ state: { reported: { material: { levelPct: 75 }, nozzleC: null, maxNozzleC: 260 } } }), { qos: 1 });
    await accepted;
    const doc = JSON.parse(Buffer.from((await dataPlane().send(new GetThingShadowCommand({ thingName: 'printer-9' }))).payload!).toString());
    expect(doc.state.reported).toEqual({ status: 'idle', material: { type: 'PLA', levelPct: 75 }, maxNozzleC: 260 });
    expect(doc.state.delta).toBeUndefined();
    const rejected = next('$aws/things/printer-9/shadow/update/rejected');
    await thing.publishAsync('$aws/things/printer-9/shadow/update', '{not json', { qos: 1 });
    expect(await rejected).toMatchObject({ code: 400, message: 'Payload contains invalid json' });
    await expect(dataPlane().send(new GetThingShadowCommand({ thingName: 'nobody' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('publishes platform messages to a device through the data plane', async () => {
    const job = next('dpm/printers/printer-9/jobs');
    await dataPlane().send(new PublishCommand({ topic: 'dpm/printers/printer-9/jobs', qos: 1, payload: Buffer.from(JSON.stringify({ jobId: 'j1' })) }));
    expect(await job).toEqual({ jobId: 'j1' });
  });

  it('keeps shadows across a restart', async () => {
    await thing.endAsync(true);
    await broker.close();
    broker = await startMqttBroker({ port: 0, wsPort: 0, dataPlanePort: 0, dataDir: dir });
    const doc = JSON.parse(Buffer.from((await dataPlane().send(new GetThingShadowCommand({ thingName: 'printer-9' }))).payload!).toString());
    expect(doc.state.reported.status).toBe('idle');
    const creds = await broker.registerThing('printer-9');
    thing = await mqtt.connectAsync(broker.url, { ...creds, clientId: 'printer-9', protocolVersion: 4, reconnectPeriod: 0 });
  });
});
