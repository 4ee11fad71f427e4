// The printer agent's AWS IoT Core path, as far as it can be checked without AWS: mqtts with mutual TLS, where the
// broker accepts only a client certificate signed by its CA and takes the thing name from the certificate, as IoT
// Core does. Certificates come from openssl (a CA, a server certificate for 127.0.0.1, a device certificate).
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrinterAgent } from '../../../cli/printer-agent.js';
import { generateDeviceKeys } from '../../../shared/printing/device-keys.js';

const hasOpenssl = spawnSync('sh', ['-c', 'command -v openssl']).status === 0;

describe.skipIf(!hasOpenssl)('printer agent over mqtts with an X.509 client certificate', () => {
  let dir: string;
  let server: Server;
  let broker: Aedes;
  let port = 0;
  const pem: Record<string, string> = {};
  const connected: { clientId: string; certCn: string }[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpm-x509-'));
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=DPM test CA');
    for (const [name, cn, ext] of [
      ['server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1'],
      ['device', 'printer-x509', 'extendedKeyUsage=clientAuth'],
      ['rogue', 'printer-x509', 'extendedKeyUsage=clientAuth'],
    ] as const) {
      await writeFile(join(dir, `${name}.ext`), `${ext}\n`);
      ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
      // The rogue certificate is self-signed: not issued by the broker's CA.
      if (name === 'rogue') ssl('x509', '-req', '-in', `${name}.csr`, '-key', `${name}.key`, '-out', `${name}.pem`, '-days', '1');
      else ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
    }
    for (const f of ['ca.pem', 'server.key', 'server.pem', 'device.key', 'device.pem', 'rogue.key', 'rogue.pem']) pem[f] = await readFile(join(dir, f), 'utf8');

    broker = await Aedes.createBroker();
    // As IoT Core: the client id must be the thing named in the certificate.
    broker.authenticate = (client, _u, _p, done) => {
      const cert = (client.conn as unknown as TLSSocket).getPeerCertificate?.();
      const cn = cert?.subject?.CN;
      if (typeof cn === 'string' && cn === client.id) {
        connected.push({ clientId: client.id, certCn: cn });
        done(null, true);
      } else done(Object.assign(new Error('not this thing'), { returnCode: 5 }), false);
    };
    server = createServer({ key: pem['server.key'], cert: pem['server.pem'], ca: pem['ca.pem'], requestCert: true, rejectUnauthorized: true }, broker.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  }, 60_000);

  afterAll(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await new Promise<void>((r) => (broker ? broker.close(() => r()) : r()));
    await rm(dir, { recursive: true, force: true });
  });

  it('connects with the device certificate, under its thing name, and reports its shadow', async () => {
    const shadow = new Promise<string>((resolve) => broker.on('publish', (packet) => packet.topic === '$aws/things/printer-x509/shadow/update' && resolve(packet.payload.toString())));
    const agent = await startPrinterAgent({
      thing: 'printer-x509',
      mqttUrl: `mqtts://127.0.0.1:${port}`,
      tls: { cert: pem['device.pem']!, key: pem['device.key']!, ca: pem['ca.pem']! },
      keys: generateDeviceKeys(),
      timeScale: 1000,
      telemetryMs: 60_000,
      workDir: join(dir, 'agent'),
    });
    expect(JSON.parse(await shadow)).toMatchObject({ state: { reported: { status: 'idle' } } });
    expect(connected).toContainEqual({ clientId: 'printer-x509', certCn: 'printer-x509' });
    await agent.stop();
  });

  it('is refused with a certificate the broker’s CA did not issue', async () => {
    // The TLS handshake fails (with TLS 1.3 the client may only see the connection close), so no MQTT session starts.
    const client = mqtt.connect(`mqtts://127.0.0.1:${port}`, { clientId: 'printer-x509', protocolVersion: 4, reconnectPeriod: 0, cert: pem['rogue.pem']!, key: pem['rogue.key']!, ca: pem['ca.pem']!, rejectUnauthorized: true });
    const outcome = await new Promise<string>((resolve) => {
      client.once('connect', () => resolve('connected'));
      client.once('error', () => resolve('refused'));
      client.once('close', () => resolve('refused'));
    });
    await client.endAsync(true);
    expect(outcome).toBe('refused');
    expect(connected.filter((c) => c.clientId === 'printer-x509')).toHaveLength(1);
  });
});
