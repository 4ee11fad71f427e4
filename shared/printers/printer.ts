// A printer on the marketplace: its operator, what it can print (profile, loaded materials), its terms, and the
// device's public keys. Printers are IoT things; the thing name is the printer id.
import { z } from 'zod';
import { Conflict, Forbidden } from '../errors.js';
import { materials } from '../designs/design.js';
import { PrinterProfile } from '../slicing/printer-profile.js';

export const PrinterTermsInput = z.strictObject({
  /** Printing fee per started hour of machine time, euro cents. */
  feePerHourCents: z.number().int().min(0).max(100_000),
  /** Material fee per gram, euro cents. */
  feePerGramCents: z.number().int().min(0).max(10_000),
  /** What the operator promises and excludes, shown to customers before they accept. */
  text: z.string().trim().min(10).max(5000),
});
export type PrinterTermsInput = z.infer<typeof PrinterTermsInput>;

export const PrinterConfigInput = z.strictObject({
  name: z.string().trim().min(3).max(80),
  /** Coarse location for delivery estimates (a city or region), never an address. */
  region: z.string().trim().min(2).max(80),
  profile: PrinterProfile,
  loadedMaterials: z
    .array(
      z.strictObject({
        type: z.enum(materials),
        color: z.string().trim().min(1).max(40),
        /** The supplier's lot of the loaded spool: its certificates go on the ledger with what is printed from it. */
        lotId: z.string().min(1).max(128).regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : -').optional(),
      }),
    )
    .min(1)
    .max(16),
  /** The printer holds each offered job until its operator accepts or rejects it (default: the printer decides). */
  approveJobs: z.boolean().optional(),
});
export type PrinterConfigInput = z.infer<typeof PrinterConfigInput>;

const base64urlKey = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a 32-byte key, base64url');
export const DevicePublicKeysInput = z.strictObject({ encryptionKey: base64urlKey, signingKey: base64urlKey });

export const RegisterPrinterInput = z.strictObject({
  config: PrinterConfigInput,
  terms: PrinterTermsInput,
  /** Made on the printer (`dpm-printer init`); the private halves never leave it. */
  deviceKeys: DevicePublicKeysInput,
});
export type RegisterPrinterInput = z.infer<typeof RegisterPrinterInput>;

export interface Printer {
  printerId: string;
  operatorId: string;
  config: PrinterConfigInput & { version: number };
  terms: PrinterTermsInput & { version: number; createdAt: string };
  deviceKeys: z.infer<typeof DevicePublicKeysInput>;
  createdAt: string;
  updatedAt: string;
  revision: number;
}

export function assertOperator(printer: Printer, operatorId: string): void {
  if (printer.operatorId !== operatorId) throw new Forbidden('Only the printer’s operator may change it');
}

/** The supplier lot an operator declared loaded for a material (and colour, when the order names one). */
export function declaredLot(loaded: readonly { type?: unknown; color?: unknown; lotId?: unknown }[], material: string | undefined, color: string | undefined): string | undefined {
  const lot = loaded.find((m) => m.type === material && (!color || m.color === color) && typeof m.lotId === 'string')?.lotId;
  return typeof lot === 'string' ? lot : undefined;
}

export function nextConfig(printer: Printer, input: PrinterConfigInput): Printer['config'] {
  return { ...input, version: printer.config.version + 1 };
}

export function nextTerms(printer: Printer, input: PrinterTermsInput, now: string): Printer['terms'] {
  if (JSON.stringify({ ...printer.terms, version: 0, createdAt: '' }) === JSON.stringify({ ...input, version: 0, createdAt: '' })) {
    throw new Conflict('These terms are the current ones already');
  }
  return { ...input, version: printer.terms.version + 1, createdAt: now };
}

/** What customers see: capabilities and terms, never the operator's account or the device's keys. */
export function publicPrinterView(p: Printer, online?: { status: string; online: boolean }) {
  return {
    printerId: p.printerId,
    name: p.config.name,
    region: p.config.region,
    buildVolume: { x: p.config.profile.bed.x, y: p.config.profile.bed.y, z: p.config.profile.maxZ },
    nozzleDiameter: p.config.profile.nozzleDiameter,
    loadedMaterials: p.config.loadedMaterials,
    terms: p.terms,
    ...(online ? { status: online.status, online: online.online } : {}),
  };
}
