// The verify use case on fakes of its ports: what it checks on every request (the Digital Link's signature, the tap's
// MAC and counter), what it keeps between requests and when it reads again (the tag record, the verified history
// while the ledger's last transaction is unchanged), and the delivery a customer's signed-in tap confirms.
import bs58 from 'bs58';
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { seal } from '../../../shared/crypto/envelope.js';
import type { Order } from '../../../shared/orders/order.js';
import { tagKeyContext } from '../../../shared/orders/order-steps.js';
import { signTransaction, unsignedCreate, unsignedTransfer, type Transaction } from '../../../shared/ledger/transaction.js';
import { newTagIdentity, SimulatedTag } from '../../../shared/tags/sun.js';
import { FreshReads, VerificationMemo } from '../../../shared/tags/verification-memo.js';
import { verifyProduct, type ScanSignIn, type VerifyDeps } from '../../../shared/tags/verify-product.js';
import { InMemoryDataKeys } from '../../support/fakes/designs.js';
import { FakePlatformSigner } from '../../support/fakes/ledger.js';
import { InMemoryOrderStore, InMemoryProductLedger, InMemoryTagStore, RecordedCallbacks } from '../../support/fakes/tags.js';

type Tx = Transaction & { id: string };

const keyPair = () => {
  const privateKey = generateKeyPairSync('ed25519').privateKey;
  return { privateKey, publicKey: bs58.encode(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32)) };
};

const gtin = '04359999000019';
const serial = 'dsg_0123456789abcdef01234567.1';
const productId = 'prd_00112233445566778899aabb';
const orderId = 'ord_00112233445566778899aabb';
const customerId = 'customer-sub-1';

describe('verifying a product', () => {
  let deps: VerifyDeps & { tags: InMemoryTagStore; ledger: InMemoryProductLedger; orders: InMemoryOrderStore; callbacks: RecordedCallbacks };
  let printed: string;
  let nfc: SimulatedTag;
  let product: Tx;
  let platform: { privateKey: KeyObject; publicKey: string };
  const signer = (owner: string, digest: Buffer) => {
    if (owner !== platform.publicKey) throw new Error(`no key for ${owner}`);
    return Promise.resolve(sign(null, digest, platform.privateKey));
  };
  const step = async (name: string, spends: Tx) => signTransaction(unsignedTransfer(product.id, { txId: spends.id, owner: platform.publicKey }, { step: name, occurredAt: '2026-12-01T10:00:00.000Z' }, platform.publicKey), signer);
  const query = (url: string) => Object.fromEntries(new URL(url).searchParams);
  const check = (url: string, signIn?: ScanSignIn) => verifyProduct({ gtin, serial, query: query(url), signIn }, deps);

  beforeEach(async () => {
    platform = keyPair();
    const ledger = new InMemoryProductLedger();
    const design = await signTransaction(unsignedCreate(platform.publicKey, { designId: 'dsg_0123456789abcdef01234567', fingerprint: 'f'.repeat(64) }, { step: 'design.registered' }, platform.publicKey), signer);
    product = await signTransaction(unsignedCreate(platform.publicKey, { productId, design: design.id }, { step: 'product.printed', occurredAt: '2026-12-01T09:00:00.000Z' }, platform.publicKey), signer);
    ledger.commit(design);
    ledger.commit(product);
    ledger.commit(await step('product.tagged', product));

    const tagSigner = new FakePlatformSigner();
    const dataKeys = new InMemoryDataKeys();
    const path = `/01/${gtin}/21/${encodeURIComponent(serial)}`;
    printed = `https://dpm.example.com${path}?s=${Buffer.from(await tagSigner.sign(new TextEncoder().encode(`${path}|${productId}`))).toString('base64url')}`;
    const identity = newTagIdentity();
    nfc = new SimulatedTag(identity.key, identity.uid);
    const tags = new InMemoryTagStore();
    await tags.put({ gtin, serial, productId, orderId, uid: identity.uid, sealedKey: Buffer.from(await seal(identity.key, dataKeys, tagKeyContext(gtin, serial))).toString('base64'), lastCounter: 0, issuedAt: '2026-12-01T09:00:00.000Z' });
    deps = { tags, signer: tagSigner, dataKeys, ledger, memo: new VerificationMemo(), orders: new InMemoryOrderStore(), callbacks: new RecordedCallbacks() };
  });

  it('checks the signature of every request, and reads the tag record and the history once while the ledger is unchanged', async () => {
    const first = await check(printed);
    expect(first).toMatchObject({ verdict: 'authentic', checks: { signature: true, tag: 'not-presented', ledger: 'verified' } });
    expect(first.memory.map((m) => m.step)).toEqual(['design.registered', 'product.printed', 'product.tagged']);
    const again = await check(printed);
    expect(again).toEqual(first);
    expect(deps.tags.gets).toBe(1);
    expect(deps.ledger.calls).toMatchObject({ search: 1, get: 1, list: 1, last: 1 });

    // A forged or missing signature fails though the genuine one verified a moment ago.
    const forged = await check(printed.replace(/s=[^&]+/, `s=${Buffer.alloc(64, 7).toString('base64url')}`));
    expect(forged).toMatchObject({ verdict: 'not-authentic', checks: { signature: false, ledger: 'verified' } });
    expect((await check(printed.replace(/\?.*$/, ''))).checks.signature).toBe(false);
  });

  it('reads and re-verifies the history when the ledger names another last transaction', async () => {
    await check(printed);
    const tagged = deps.ledger.transactions.at(-1)!;
    deps.ledger.commit(await step('product.shipped', tagged));
    const after = await check(printed);
    expect(after.memory.map((m) => m.step)).toEqual(['design.registered', 'product.printed', 'product.tagged', 'product.shipped']);
    expect(after.ledger?.transactions).toBe(3);
    expect(deps.ledger.calls.list).toBe(2);
  });

  it('keeps no history that does not verify: it is read and checked again on every request', async () => {
    const tagged = deps.ledger.transactions.at(-1)!;
    tagged.metadata = { ...tagged.metadata, step: 'product.forged' };
    const altered = await check(printed);
    expect(altered).toMatchObject({ verdict: 'not-authentic', checks: { ledger: 'invalid' } });
    expect(altered.reasons.join(' ')).toMatch(/altered/);
    await check(printed);
    expect(deps.ledger.calls.list).toBe(2);
    tagged.metadata = { ...tagged.metadata, step: 'product.tagged' };
    expect((await check(printed)).verdict).toBe('authentic');
  });

  it('judges every tap by its MAC and by the counter in the store, not by anything kept', async () => {
    const tap = nfc.tap(printed);
    expect((await check(tap)).checks.tag).toBe('fresh');
    expect(await check(tap)).toMatchObject({ verdict: 'possible-clone', checks: { tag: 'replayed' } });
    expect((await check(nfc.tap(printed))).checks.tag).toBe('fresh');
    const badMac = new URL(nfc.tap(printed));
    badMac.searchParams.set('cmac', '0000000000000000');
    expect(await check(badMac.toString())).toMatchObject({ verdict: 'not-authentic', checks: { tag: 'invalid' } });
    expect(deps.tags.tags.get(`${gtin}/${serial}`)!.lastCounter).toBe(2);
    expect(deps.tags.gets).toBe(1);
  });

  it('looks an unknown tag up again every time', async () => {
    await expect(verifyProduct({ gtin, serial: 'no-such-serial', query: {} }, deps)).rejects.toThrow(/No product/);
    await expect(verifyProduct({ gtin, serial: 'no-such-serial', query: {} }, deps)).rejects.toThrow(/No product/);
    expect(deps.tags.gets).toBe(2);
  });

  describe('a signed-in scan', () => {
    const order = (o: Partial<Order>): Order =>
      ({ orderId, customerId, designId: 'dsg_0123456789abcdef01234567', designerId: 'designer-1', material: 'PLA', licenseVersion: 1, quote: {}, royaltyCents: 0, paymentMethod: 'pm', status: 'shipped', attempts: [], createdAt: 't', updatedAt: 't', revision: 1, ...o }) as Order;
    const customer = { userId: customerId };

    it('confirms the delivery on the customer’s first fresh tap, once', async () => {
      await deps.orders.create(order({ waiting: { step: 'delivery', token: 'delivery-token' } }));
      const confirmed = await check(nfc.tap(printed), customer);
      expect(confirmed).toMatchObject({ verdict: 'authentic', checks: { tag: 'fresh' }, delivery: { outcome: 'confirmed' } });
      expect(deps.callbacks.succeeded).toEqual([{ token: 'delivery-token', output: { confirmedBy: 'customer-scan' } }]);
      // Another tap before the workflow has moved on answers no second callback; once it has, the tap says so.
      await check(nfc.tap(printed), customer);
      expect(deps.callbacks.succeeded).toHaveLength(1);
      const o = deps.orders.orders.get(orderId)!;
      deps.orders.orders.set(orderId, { ...o, status: 'completed', revision: o.revision + 1 });
      expect((await check(nfc.tap(printed), customer)).delivery).toEqual({ outcome: 'already-confirmed' });
    });

    it('leaves the confirmation for the delivery step when the workflow is not waiting yet', async () => {
      await deps.orders.create(order({}));
      expect((await check(nfc.tap(printed), customer)).delivery).toEqual({ outcome: 'confirmed' });
      expect(deps.orders.orders.get(orderId)!.deliveryConfirmedBy).toBe('customer-scan');
      expect((await check(nfc.tap(printed), customer)).delivery).toEqual({ outcome: 'already-confirmed' });
      expect(deps.callbacks.succeeded).toEqual([]);
    });

    it('confirms nothing for a rejected token, a printed code, a replayed or forged tap, another account or an order not shipped', async () => {
      await deps.orders.create(order({ waiting: { step: 'delivery', token: 'delivery-token' } }));
      // A token that did not verify: the verdict is answered as for anyone, and says why nothing was confirmed.
      const rejected = await check(nfc.tap(printed), 'rejected');
      expect(rejected).toMatchObject({ verdict: 'authentic', checks: { tag: 'fresh' }, delivery: { outcome: 'not-confirmed', reason: expect.stringMatching(/token/) } });
      expect((await check(printed, customer)).delivery).toMatchObject({ outcome: 'not-confirmed', reason: expect.stringMatching(/NFC tag/) });
      const tap = nfc.tap(printed);
      await check(tap);
      expect(await check(tap, customer)).toMatchObject({ verdict: 'possible-clone', delivery: { outcome: 'not-confirmed' } });
      const forged = new URL(nfc.tap(printed));
      forged.searchParams.set('cmac', 'FFFFFFFFFFFFFFFF');
      expect((await check(forged.toString(), customer)).delivery?.outcome).toBe('not-confirmed');
      expect((await check(nfc.tap(printed), { userId: 'someone-else' })).delivery).toMatchObject({ outcome: 'not-confirmed', reason: expect.stringMatching(/did not order/) });
      expect(deps.callbacks.succeeded).toEqual([]);
      const o = deps.orders.orders.get(orderId)!;
      deps.orders.orders.set(orderId, { ...o, status: 'printed' });
      expect((await check(nfc.tap(printed), customer)).delivery).toMatchObject({ outcome: 'not-confirmed', reason: expect.stringMatching(/printed/) });
      expect(deps.callbacks.succeeded).toEqual([]);
      expect(deps.orders.orders.get(orderId)!.deliveryConfirmedBy).toBeUndefined();
    });

    it('says nothing about deliveries to a scan without a token', async () => {
      await deps.orders.create(order({ waiting: { step: 'delivery', token: 'delivery-token' } }));
      expect(await check(nfc.tap(printed))).not.toHaveProperty('delivery');
      expect(deps.callbacks.succeeded).toEqual([]);
    });
  });
});

describe('fresh reads', () => {
  const deferred = () => {
    let resolve!: (v: number) => void;
    const promise = new Promise<number>((r) => (resolve = r));
    return { promise, resolve };
  };

  it('answers a caller from a read begun after it asked, shared with the callers who asked at the same time', async () => {
    const reads = new FreshReads<string, number>();
    const started: ReturnType<typeof deferred>[] = [];
    const load = () => {
      const d = deferred();
      started.push(d);
      return d.promise;
    };
    const a = reads.read('k', load);
    // b and c arrive while a's read is in flight: they wait for one new read, not for a's answer.
    const b = reads.read('k', load);
    const c = reads.read('k', load);
    expect(started).toHaveLength(1);
    started[0]!.resolve(1);
    expect(await a).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(started).toHaveLength(2);
    const d = reads.read('k', load);
    started[1]!.resolve(2);
    expect([await b, await c]).toEqual([2, 2]);
    await new Promise((r) => setImmediate(r));
    started[2]!.resolve(3);
    expect(await d).toBe(3);
    // Nothing in flight: the next caller reads at once; another key never waits for this one.
    const e = reads.read('k', load);
    const other = reads.read('other', load);
    expect(started).toHaveLength(5);
    started[3]!.resolve(4);
    started[4]!.resolve(5);
    expect([await e, await other]).toEqual([4, 5]);
  });

  it('passes a failed read to its callers only', async () => {
    const reads = new FreshReads<string, number>();
    await expect(reads.read('k', () => Promise.reject(new Error('ledger down')))).rejects.toThrow('ledger down');
    expect(await reads.read('k', () => Promise.resolve(7))).toBe(7);
    await new Promise((r) => setImmediate(r));
    // A queued read whose load throws outright fails its callers, and the next caller reads again.
    let release!: (v: number) => void;
    const first = reads.read('k', () => new Promise<number>((r) => (release = r)));
    const queued = reads.read('k', () => {
      throw new Error('no connection');
    });
    // Its rejection is awaited from the start: it may settle before `first` does, and must never go unhandled.
    const queuedFails = expect(queued).rejects.toThrow('no connection');
    release(1);
    expect(await first).toBe(1);
    await queuedFails;
    expect(await reads.read('k', () => Promise.resolve(8))).toBe(8);
  });
});
