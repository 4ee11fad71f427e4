// The dispatch step slices a design once per function instance for the same STL, profile and settings: the next
// order's print file carries the same G-code, sealed for its own printer and job, with no read of the sealed STL.
import { describe, expect, it } from 'vitest';
import { dispatchPrintJob, type DispatchDeps } from '../../../shared/orders/order-steps.js';
import { GcodeMemo } from '../../../shared/printing/gcode-memo.js';
import { generateDeviceKeys, publicKeys } from '../../../shared/printing/device-keys.js';
import { openPrintFile } from '../../../shared/printing/print-file-seal.js';
import { seal } from '../../../shared/crypto/envelope.js';
import { designContext } from '../../../shared/designs/ingest-design.js';
import type { Design } from '../../../shared/designs/design.js';
import type { Printer } from '../../../shared/printers/printer.js';
import type { PrinterStore } from '../../../shared/printers/ports.js';
import { InMemoryBlobStore, InMemoryDataKeys, InMemoryDesignStore } from '../../support/fakes/designs.js';
import { InMemoryOrderStore } from '../../support/fakes/tags.js';
import { anOrder } from '../../support/fakes/orders.js';
import { binaryStl, box } from '../../support/meshes.js';
import { PrinterProfile } from '../../../shared/slicing/printer-profile.js';

const at = new Date('2026-12-02T10:00:00.000Z');

class CountingBlobs extends InMemoryBlobStore {
  reads = 0;
  override async get(key: string) {
    this.reads++;
    return super.get(key);
  }
}

async function given(stlBytes: Uint8Array, memo: GcodeMemo | undefined) {
  const dataKeys = new InMemoryDataKeys();
  const designFiles = new CountingBlobs();
  const designs = new InMemoryDesignStore();
  const design = {
    designId: 'd1',
    designerId: 'alice',
    title: 'Box',
    description: '',
    tags: [],
    terms: { priceCents: 100, royaltyCents: 50, maxPrints: 100, version: 1 },
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
    revision: 1,
    status: 'listed',
    stl: { fingerprint: `f${stlBytes.length}`, format: 'binary', sizeBytes: stlBytes.length, triangleCount: 12, sealedKey: 'designs/d1/stl.sealed' },
  } as unknown as Design;
  await designs.create(design);
  await designFiles.put('designs/d1/stl.sealed', await seal(stlBytes, dataKeys, designContext('d1')));
  const fleet = ['p1', 'p2'].map((printerId) => {
    const keys = generateDeviceKeys();
    const printer = {
      printerId,
      operatorId: 'op',
      config: { name: printerId, region: 'Lyon', profile: PrinterProfile.parse({}), loadedMaterials: [{ type: 'PLA', color: 'black' }], version: 1 },
      deviceKeys: publicKeys(keys),
    } as unknown as Printer;
    return { printer, keys };
  });
  const printers = { list: async () => fleet.map((f) => f.printer), get: async (id: string) => fleet.find((f) => f.printer.printerId === id)?.printer } as unknown as PrinterStore;
  const printFiles = new Map<string, Uint8Array>();
  const orders = new InMemoryOrderStore();
  const deps: DispatchDeps = {
    orders,
    designs,
    printers,
    shadows: {} as DispatchDeps['shadows'],
    ratings: { printerRatings: async () => new Map() } as unknown as DispatchDeps['ratings'],
    designFiles,
    dataKeys,
    printFiles: { put: async (key, bytes) => void printFiles.set(key, bytes), presignDownload: async (key) => `https://files.example/${key}` },
    messages: { publish: async () => undefined },
    callbacks: { succeed: async () => true, fail: async () => true, heartbeat: async () => true },
    now: () => at,
    ...(memo ? { gcodeMemo: memo } : {}),
  };
  const dispatch = async (n: number, printerId: string) => {
    const orderId = `ord_${String(n).padStart(24, '0')}`;
    await orders.create(anOrder({ orderId, status: 'paid', chosenPrinterId: printerId }));
    const { jobId } = await dispatchPrintJob({ orderId, taskToken: `t${n}` }, deps);
    const f = fleet.find((x) => x.printer.printerId === printerId)!;
    return openPrintFile(printFiles.get(`jobs/${jobId}/print.gcode.sealed`)!, { printerId, ...f.keys.encryption }, { jobId, now: at });
  };
  return { dispatch, designFiles };
}

describe('G-code made once per instance', () => {
  const stl = binaryStl(box(20, 20, 10));

  it('a second order of the same design, material and settings is not sliced again, and its file opens for its own printer', async () => {
    const memo = new GcodeMemo();
    const { dispatch, designFiles } = await given(stl, memo);
    const first = await dispatch(1, 'p1');
    expect(designFiles.reads).toBe(1);
    const second = await dispatch(2, 'p2');
    expect(designFiles.reads).toBe(1);
    expect(second.equals(first)).toBe(true);
    expect(first.toString()).toContain('G1 ');
    expect(memo.size).toBe(1);
  });

  it('without a memo every dispatch slices, to the same G-code', async () => {
    const { dispatch, designFiles } = await given(stl, undefined);
    const first = await dispatch(1, 'p1');
    const second = await dispatch(2, 'p1');
    expect(designFiles.reads).toBe(2);
    expect(second.equals(first)).toBe(true);
  });

  it('a different STL fingerprint or other settings is sliced on its own', async () => {
    const memo = new GcodeMemo();
    let made = 0;
    const make = async () => (made++, new Uint8Array([made]));
    expect(await memo.get('a|s1', make)).toEqual(new Uint8Array([1]));
    expect(await memo.get('a|s1', make)).toEqual(new Uint8Array([1]));
    expect(await memo.get('b|s1', make)).toEqual(new Uint8Array([2]));
    expect(await memo.get('a|s2', make)).toEqual(new Uint8Array([3]));
    expect(made).toBe(3);
  });

  it('is bounded in bytes: the least recently used goes, and an entry larger than the memo is not kept', async () => {
    const memo = new GcodeMemo(10);
    let made = 0;
    const make = (n: number) => async () => (made++, new Uint8Array(n));
    await memo.get('a', make(4));
    await memo.get('b', make(4));
    await memo.get('a', make(4));
    await memo.get('c', make(4));
    expect(made).toBe(3);
    await memo.get('b', make(4));
    expect(made).toBe(4);
    await memo.get('a', make(4));
    expect(made).toBe(5);
    await memo.get('huge', make(11));
    await memo.get('huge', make(11));
    expect(made).toBe(7);
    expect(memo.size).toBeLessThanOrEqual(2);
  });
});
