// What the designs use cases need from the outside world.
import type { Design, LicenseTerms } from './design.js';

export interface DesignStore {
  get(designId: string): Promise<Design | undefined>;
  /** Creates the design and its first terms version; false if the id exists. */
  create(design: Design): Promise<boolean>;
  /** Writes only if the stored revision is `expectedRevision`; false on a lost race. A new terms version is kept too. */
  save(design: Design, expectedRevision: number): Promise<boolean>;
  termsHistory(designId: string): Promise<LicenseTerms[]>;
  listByDesigner(designerId: string): Promise<Design[]>;
  /** How many prints each design's edition has given out (0 for designs nothing was ordered of). */
  editionCounts(designIds: readonly string[]): Promise<Map<string, EditionCounts>>;
  /** Every design in the catalogue, newest first, a page at a time. */
  catalogue(pageSize: number, after?: string): Promise<{ designs: Design[]; next?: string }>;
}

/** A design's edition counters, kept by the licence reservations (shared/adapters/dynamodb-license-reservations.ts). */
export interface EditionCounts {
  /** Licences held by orders now: taken and not given back by a refund. */
  sold: number;
  /** Print numbers handed out so far; a refunded order's number is never reused. */
  issued: number;
}

/** Object storage for uploads (quarantine) and sealed files. */
export interface BlobStore {
  /** A URL the browser can PUT the file to directly. */
  presignUpload(key: string, opts: { contentType: string; expiresInSeconds: number }): Promise<string>;
  size(key: string): Promise<number | undefined>;
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface DesignRegistered {
  designId: string;
  designerId: string;
  fingerprint: string;
  licenseTermsHash: string;
  termsVersion: number;
  occurredAt: string;
}

/** Domain events about designs, on their way to the ledger. Publishing the same event twice is harmless. */
export interface DesignEvents {
  designRegistered(event: DesignRegistered): Promise<void>;
}
