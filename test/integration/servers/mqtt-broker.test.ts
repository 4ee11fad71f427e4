// The printers' broker with real mqtt clients over TCP and WebSocket: per-thing credentials, the topic ACL, the
// platform's identity, and credentials that survive a restart.
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
