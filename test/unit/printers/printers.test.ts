import { AttachPolicyCommand, AttachThingPrincipalCommand, CreateKeysAndCertificateCommand, CreateThingCommand, DescribeEndpointCommand, IoTClient } from '@aws-sdk/client-iot';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { describe, expect, it } from 'vitest';
import { IotCorePrinterIdentities } from '../../../shared/adapters/iot-core-printer-identities.js';
import { Conflict, Forbidden } from '../../../shared/errors.js';
import { listPrinters, updatePrinterConfig, updatePrinterTerms } from '../../../shared/printers/manage-printer.js';
import type { PrinterShadows, PrinterStore } from '../../../shared/printers/ports.js';
import { RegisterPrinterInput, type Printer } from '../../../shared/printers/printer.js';
import { registerPrinter } from '../../../shared/printers/register-printer.js';

class MemoryPrinters implements PrinterStore {
  readonly items = new Map<string, Printer>();
  async get(id: string) {
    return structuredClone(this.items.get(id));
  }
  async create(p: Printer) {
    if (this.items.has(p.printerId)) return false;
    this.items.set(p.printerId, structuredClone(p));
    return true;
  }
  async save(p: Printer, rev: number) {
    if (this.items.get(p.printerId)?.revision !== rev) return false;
    this.items.set(p.printerId, structuredClone(p));
    return true;
  }
  async listByOperator(op: string) {
    return [...this.items.values()].filter((p) => p.operatorId === op);
  }
  async list() {
    return [...this.items.values()];
  }
}

class MemoryShadows implements PrinterShadows {
  readonly desired = new Map<string, Record<string, unknown>>();
  readonly reports = new Map<string, Record<string, unknown>>();
  async setDesired(t: string, d: Record<string, unknown>) {
    this.desired.set(t, d);
  }
  async reported(t: string) {
    return this.reports.get(t);
  }
}

const request = RegisterPrinterInput.parse({
  config: { name: 'MK4', region: 'Lyon', profile: {}, loadedMaterials: [{ type: 'PLA', color: 'black' }] },
  terms: { feePerHourCents: 150, feePerGramCents: 4, text: 'Printed within two days.' },
  deviceKeys: { encryptionKey: 'a'.repeat(43), signingKey: 'b'.repeat(43) },
});

describe('printers', () => {
  const setup = () => {
    const deps = {
      printers: new MemoryPrinters(),
      shadows: new MemoryShadows(),
      identities: { provision: async (thing: string) => ({ kind: 'password' as const, username: thing, password: 'pw', endpoint: 'mqtt://x' }) },
      newId: () => 'p1',
      now: () => new Date('2026-11-24T10:00:00Z'),
    };
    return deps;
  };

  it('registers a printer, provisions its identity and sends its configuration as desired state', async () => {
    const deps = setup();
    const out = await registerPrinter({ operatorId: 'op', request }, deps);
    const id = out.printer.printerId;
    expect(id).toMatch(/^printer-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(out.credentials).toEqual({ kind: 'password', username: id, password: 'pw', endpoint: 'mqtt://x' });
    expect(deps.shadows.desired.get(id)).toMatchObject({ config: { version: 1, name: 'MK4' } });
    expect(JSON.stringify(out.printer)).not.toContain('op');
  });

  it('makes a retried registration the same printer, and refuses the same device for another operator', async () => {
    const deps = setup();
    const first = await registerPrinter({ operatorId: 'op', request }, deps);
    const again = await registerPrinter({ operatorId: 'op', request }, deps);
    expect(again.printer.printerId).toBe(first.printer.printerId);
    expect(await deps.printers.list()).toHaveLength(1);
    await expect(registerPrinter({ operatorId: 'mallory', request }, deps)).rejects.toBeInstanceOf(Conflict);
  });

  it('lets only the operator change the printer, versions configuration and terms', async () => {
    const deps = setup();
    const id = (await registerPrinter({ operatorId: 'op', request }, deps)).printer.printerId;
    await expect(updatePrinterConfig({ operatorId: 'mallory', printerId: id, config: request.config }, deps)).rejects.toBeInstanceOf(Forbidden);
    await updatePrinterConfig({ operatorId: 'op', printerId: id, config: { ...request.config, region: 'Paris' } }, deps);
    expect(deps.shadows.desired.get(id)).toMatchObject({ config: { version: 2, region: 'Paris' } });
    await expect(updatePrinterTerms({ operatorId: 'op', printerId: id, terms: request.terms }, deps)).rejects.toBeInstanceOf(Conflict);
    const updated = await updatePrinterTerms({ operatorId: 'op', printerId: id, terms: { ...request.terms, feePerHourCents: 200 } }, deps);
    expect(updated.terms).toMatchObject({ version: 2, feePerHourCents: 200 });
  });

  it('lists printers with their reported status', async () => {
    const deps = setup();
    const id = (await registerPrinter({ operatorId: 'op', request }, deps)).printer.printerId;
    expect((await listPrinters(deps))[0]).toMatchObject({ status: 'unknown', online: false });
    deps.shadows.reports.set(id, { status: 'idle' });
    expect((await listPrinters(deps))[0]).toMatchObject({ status: 'idle', online: true });
  });
});

describe('IoT Core printer identities', () => {
  it('creates the thing, a certificate with the printer policy, and attaches it', async () => {
    const iot = mockClient(IoTClient);
    iot.on(CreateThingCommand).resolves({ thingName: 'printer-p1' });
    iot.on(CreateKeysAndCertificateCommand).resolves({ certificateArn: 'arn:cert/1', certificatePem: 'PEM', keyPair: { PrivateKey: 'KEY', PublicKey: 'PUB' } });
    iot.on(AttachPolicyCommand).resolves({});
    iot.on(AttachThingPrincipalCommand).resolves({});
    iot.on(DescribeEndpointCommand).resolves({ endpointAddress: 'abc-ats.iot.eu-west-1.amazonaws.com' });
    const creds = await new IotCorePrinterIdentities(new IoTClient({}), { thingTypeName: 'dpm-printer', policyName: 'dpm-printer' }).provision('printer-p1', { operator: 'op' });
    expect(creds).toEqual({ kind: 'x509', certificatePem: 'PEM', privateKeyPem: 'KEY', certificateArn: 'arn:cert/1', endpoint: 'mqtts://abc-ats.iot.eu-west-1.amazonaws.com:8883' });
    expect(iot).toHaveReceivedCommandWith(CreateThingCommand, { thingName: 'printer-p1', thingTypeName: 'dpm-printer' });
    expect(iot).toHaveReceivedCommandWith(CreateKeysAndCertificateCommand, { setAsActive: true });
    expect(iot).toHaveReceivedCommandWith(AttachPolicyCommand, { policyName: 'dpm-printer', target: 'arn:cert/1' });
    expect(iot).toHaveReceivedCommandWith(AttachThingPrincipalCommand, { thingName: 'printer-p1', principal: 'arn:cert/1' });
  });
});

describe('proofs of printability', () => {
  it('keeps an answer signed by the printer’s device key, and refuses forged or misattributed ones', async () => {
    const { generateDeviceKeys, publicKeys, signReport } = await import('../../../shared/printing/device-keys.js');
    const { recordPrintabilityProof } = await import('../../../shared/printers/printability-proof.js');
    const keys = generateDeviceKeys();
    const printers = new MemoryPrinters();
    const d = { printers, shadows: new MemoryShadows(), identities: { provision: async (t: string) => ({ kind: 'password' as const, username: t, password: 'x', endpoint: 'mqtt://x' }) }, newId: () => 'p9', now: () => new Date() };
    const thing = (await registerPrinter({ operatorId: 'op', request: { ...request, deviceKeys: publicKeys(keys) } }, d)).printer.printerId;
    const stored: unknown[] = [];
    const proofs = { put: async (p: unknown) => void stored.push(p), forDesign: async () => [] };
    const answer = { thing, at: 't', requestId: 'r', designId: 'd1', fits: true, buildVolume: { x: 1, y: 1, z: 1 }, configVersion: 1 };
    await recordPrintabilityProof({ thing, signed: signReport(answer, keys) }, { printers, proofs });
    expect(stored).toHaveLength(1);
    const other = generateDeviceKeys();
    await expect(recordPrintabilityProof({ thing, signed: signReport(answer, other) }, { printers, proofs })).rejects.toThrow('not signed by its device key');
    await expect(recordPrintabilityProof({ thing, signed: signReport({ ...answer, thing: 'printer-x' }, keys) }, { printers, proofs })).rejects.toThrow('claims to come from');
    await expect(recordPrintabilityProof({ thing: 'printer-nope', signed: signReport(answer, keys) }, { printers, proofs })).rejects.toThrow('No printer');
    expect(stored).toHaveLength(1);
  });
});
