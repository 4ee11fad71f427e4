// In-memory implementations of the designs ports, for unit tests of the use cases. They keep the same contracts as
// the real adapters (conditional writes, sparse catalogue), which the integration tests check on the real servers.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataKeys, EncryptionContext } from '../../../shared/crypto/envelope.js';
import { SealedDataInvalid } from '../../../shared/crypto/envelope.js';
import type { Design, LicenseTerms } from '../../../shared/designs/design.js';
import type { BlobStore, DesignEvents, DesignRegistered, DesignStore } from '../../../shared/designs/ports.js';

const clone = <T>(v: T): T => structuredClone(v);

export class InMemoryDesignStore implements DesignStore {
  readonly designs = new Map<string, Design>();
  readonly terms = new Map<string, LicenseTerms>();
  async get(id: string) {
    const d = this.designs.get(id);
    return d && clone(d);
  }
  async create(d: Design) {
    if (this.designs.has(d.designId)) return false;
    this.designs.set(d.designId, clone(d));
    this.terms.set(`${d.designId}#${d.terms.version}`, clone(d.terms));
    return true;
  }
  async save(d: Design, expected: number) {
    if (this.designs.get(d.designId)?.revision !== expected) return false;
    this.designs.set(d.designId, clone(d));
    this.terms.set(`${d.designId}#${d.terms.version}`, clone(d.terms));
    return true;
  }
  async termsHistory(id: string) {
    return [...this.terms.entries()].filter(([k]) => k.startsWith(`${id}#`)).map(([, t]) => clone(t)).sort((a, b) => a.version - b.version);
  }
  async listByDesigner(designerId: string) {
    return [...this.designs.values()].filter((d) => d.designerId === designerId).map(clone);
  }
  /** Edition counters by design id, as the licence reservations would keep them on the design item. */
  readonly editions = new Map<string, { sold: number; issued: number }>();
  async editionCounts(designIds: readonly string[]) {
    return new Map(designIds.map((id) => [id, { ...(this.editions.get(id) ?? { sold: 0, issued: 0 }) }]));
  }
  async catalogue(pageSize: number, after?: string) {
    const all = [...this.designs.values()].filter((d) => d.status === 'listed').sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.designId.localeCompare(a.designId));
    const start = after ? Number(after) : 0;
    const page = all.slice(start, start + pageSize);
    return { designs: page.map(clone), next: start + pageSize < all.length ? String(start + pageSize) : undefined };
  }
}

export class InMemoryBlobStore implements BlobStore {
  readonly objects = new Map<string, Uint8Array>();
  async presignUpload(key: string) {
    return `https://uploads.example/${key}?signed`;
  }
  async size(key: string) {
    return this.objects.get(key)?.length;
  }
  async get(key: string) {
    const o = this.objects.get(key);
    return o && Uint8Array.from(o);
  }
  async put(key: string, bytes: Uint8Array) {
    this.objects.set(key, Uint8Array.from(bytes));
  }
  async delete(key: string) {
    this.objects.delete(key);
  }
}

/** A key service in memory: wraps data keys with AES-GCM under one master key, binding the context like KMS. */
export class InMemoryDataKeys implements DataKeys {
  /** Every plaintext key handed out, so tests can check that callers wipe them. */
  readonly handedOut: Uint8Array[] = [];
  private readonly master = randomBytes(32);
  async generate(context: EncryptionContext) {
    const plaintext = randomBytes(32);
    this.handedOut.push(plaintext);
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.master, iv).setAAD(Buffer.from(JSON.stringify(context)));
    const body = Buffer.concat([c.update(plaintext), c.final()]);
    return { plaintext, wrapped: Buffer.concat([iv, c.getAuthTag(), body]) };
  }
  async unwrap(wrapped: Uint8Array, context: EncryptionContext) {
    const w = Buffer.from(wrapped);
    const d = createDecipheriv('aes-256-gcm', this.master, w.subarray(0, 12)).setAAD(Buffer.from(JSON.stringify(context)));
    d.setAuthTag(w.subarray(12, 28));
    try {
      const key = Buffer.concat([d.update(w.subarray(28)), d.final()]);
      this.handedOut.push(key);
      return key;
    } catch {
      throw new SealedDataInvalid('wrong context');
    }
  }
}

export class RecordedDesignEvents implements DesignEvents {
  readonly published: DesignRegistered[] = [];
  async designRegistered(e: DesignRegistered) {
    this.published.push(clone(e));
  }
}
