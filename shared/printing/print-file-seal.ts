// A print file (G-code) sealed for exactly one printer and one job: X25519 key agreement with the printer's device key,
// HKDF bound to the job, printer and expiry, then AES-256-GCM. The header is authenticated, so a sealed file cannot be
// replayed to another job, another printer or after its expiry, and the G-code hash recorded with the job is checked
// after decryption.
import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { Forbidden, InvalidInput, RuleViolation } from '../errors.js';

export interface PrintFileHeader {
  v: 1;
  jobId: string;
  printerId: string;
  /** ISO time after which the printer refuses the file. */
  expiresAt: string;
  /** SHA-256 of the G-code, hex; the job record holds the same value. */
  gcodeSha256: string;
}

export class PrintFileRefused extends Forbidden {}
export class PrintFileCorrupt extends InvalidInput {}

const magic = Buffer.from('DPMG');

/** A printer's encryption key pair; the private half never leaves the device. Raw 32-byte keys, base64url. */
export function generateDeviceEncryptionKey(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return {
    publicKey: rawPublic(publicKey).toString('base64url'),
    privateKey: (privateKey.export({ format: 'jwk' }).d as string),
  };
}

function rawPublic(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: 'jwk' }).x as string, 'base64url');
}

function publicKeyOf(raw: string): KeyObject {
  const x = Buffer.from(raw, 'base64url');
  if (x.length !== 32) throw new InvalidInput('An X25519 public key is 32 bytes');
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: x.toString('base64url') }, format: 'jwk' });
}

function privateKeyOf(d: string, publicRaw: string): KeyObject {
  return createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d, x: publicRaw }, format: 'jwk' });
}

function deriveKey(shared: Buffer, header: PrintFileHeader): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.from(header.jobId), Buffer.from(`dpm print file v1|${header.printerId}|${header.expiresAt}`), 32));
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function sealPrintFile(gcode: Uint8Array, to: { printerId: string; publicKey: string }, job: { jobId: string; expiresAt: Date }): { sealed: Buffer; header: PrintFileHeader } {
  const header: PrintFileHeader = { v: 1, jobId: job.jobId, printerId: to.printerId, expiresAt: job.expiresAt.toISOString(), gcodeSha256: sha256Hex(gcode) };
  const ephemeral = generateKeyPairSync('x25519');
  const key = deriveKey(diffieHellman({ privateKey: ephemeral.privateKey, publicKey: publicKeyOf(to.publicKey) }), header);
  const headerBytes = Buffer.from(JSON.stringify(header));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(headerBytes);
  const body = Buffer.concat([cipher.update(gcode), cipher.final()]);
  key.fill(0);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(headerBytes.length);
  return { sealed: Buffer.concat([magic, len, headerBytes, rawPublic(ephemeral.publicKey), iv, cipher.getAuthTag(), body]), header };
}

export function readPrintFileHeader(sealed: Uint8Array): PrintFileHeader {
  const b = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (b.length < 8 || !b.subarray(0, 4).equals(magic)) throw new PrintFileCorrupt('Not a DPM print file');
  const n = b.readUInt32BE(4);
  if (n > 4096 || b.length < 8 + n + 32 + 12 + 16) throw new PrintFileCorrupt('The print file is truncated');
  try {
    const h = JSON.parse(b.subarray(8, 8 + n).toString()) as PrintFileHeader;
    if (h.v !== 1 || typeof h.jobId !== 'string' || typeof h.printerId !== 'string' || typeof h.expiresAt !== 'string' || !/^[0-9a-f]{64}$/.test(h.gcodeSha256)) throw new Error('bad header');
    return h;
  } catch {
    throw new PrintFileCorrupt('The print file header is unreadable');
  }
}

/** On the printer: only the addressed printer, for the expected job, before expiry, gets the G-code back. */
export function openPrintFile(
  sealed: Uint8Array,
  me: { printerId: string; publicKey: string; privateKey: string },
  expect: { jobId: string; gcodeSha256?: string; now: Date },
): Buffer {
  const header = readPrintFileHeader(sealed);
  if (header.printerId !== me.printerId) throw new PrintFileRefused(`This print file is for printer ${header.printerId}`);
  if (header.jobId !== expect.jobId) throw new PrintFileRefused(`This print file is for job ${header.jobId}, not ${expect.jobId}`);
  if (Date.parse(header.expiresAt) <= expect.now.getTime()) throw new RuleViolation(`The print file expired at ${header.expiresAt}`);
  if (expect.gcodeSha256 && expect.gcodeSha256 !== header.gcodeSha256) throw new PrintFileRefused('The print file does not carry the G-code recorded for the job');
  const b = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const n = b.readUInt32BE(4);
  const headerBytes = b.subarray(8, 8 + n);
  let at = 8 + n;
  const ephemeral = b.subarray(at, (at += 32));
  const iv = b.subarray(at, (at += 12));
  const tag = b.subarray(at, (at += 16));
  const key = deriveKey(diffieHellman({ privateKey: privateKeyOf(me.privateKey, me.publicKey), publicKey: publicKeyOf(ephemeral.toString('base64url')) }), header);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv).setAAD(headerBytes);
    decipher.setAuthTag(tag);
    const gcode = Buffer.concat([decipher.update(b.subarray(at)), decipher.final()]);
    if (sha256Hex(gcode) !== header.gcodeSha256) throw new PrintFileCorrupt('The G-code does not match its recorded hash');
    return gcode;
  } catch (err) {
    if (err instanceof PrintFileCorrupt) throw err;
    throw new PrintFileRefused('The print file cannot be opened with this printer’s key, or it was altered');
  } finally {
    key.fill(0);
  }
}
