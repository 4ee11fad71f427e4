// Envelope encryption: every object gets its own data key from the key service, bound to an encryption context
// (for example the design id), and is sealed with AES-256-GCM. Only the wrapped key is stored beside the data; the
// plaintext key lives for one call and is wiped.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { InvalidInput } from '../errors.js';

export type EncryptionContext = Readonly<Record<string, string>>;

/** The key service (KMS in the cloud and locally): data keys wrapped under a master key that never leaves it. */
export interface DataKeys {
  generate(context: EncryptionContext): Promise<{ plaintext: Uint8Array; wrapped: Uint8Array }>;
  /** Fails when the wrapped key was made for another context. */
  unwrap(wrapped: Uint8Array, context: EncryptionContext): Promise<Uint8Array>;
}

export class SealedDataInvalid extends InvalidInput {}

const magic = Buffer.from('DPME');
const version = 1;
const ivBytes = 12;
const tagBytes = 16;

/** The context is authenticated too, so a sealed object cannot be passed off as another one. */
function aad(context: EncryptionContext): Buffer {
  return Buffer.from(JSON.stringify(Object.keys(context).sort().map((k) => [k, context[k]])));
}

export async function seal(plaintext: Uint8Array, keys: DataKeys, context: EncryptionContext): Promise<Uint8Array> {
  const { plaintext: key, wrapped } = await keys.generate(context);
  try {
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad(context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const head = Buffer.alloc(magic.length + 1 + 2);
    magic.copy(head);
    head.writeUInt8(version, magic.length);
    head.writeUInt16BE(wrapped.length, magic.length + 1);
    return Buffer.concat([head, wrapped, iv, cipher.getAuthTag(), body]);
  } finally {
    key.fill(0);
  }
}

export async function open(sealed: Uint8Array, keys: DataKeys, context: EncryptionContext): Promise<Uint8Array> {
  const b = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const fixed = magic.length + 3;
  if (b.length < fixed || !b.subarray(0, magic.length).equals(magic)) throw new SealedDataInvalid('Not a DPM sealed object');
  if (b.readUInt8(magic.length) !== version) throw new SealedDataInvalid(`Unknown sealed object version ${b.readUInt8(magic.length)}`);
  const wrappedLength = b.readUInt16BE(magic.length + 1);
  const ivAt = fixed + wrappedLength;
  if (b.length < ivAt + ivBytes + tagBytes) throw new SealedDataInvalid('The sealed object is truncated');
  const key = await keys.unwrap(b.subarray(fixed, ivAt), context);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, b.subarray(ivAt, ivAt + ivBytes));
    decipher.setAAD(aad(context));
    decipher.setAuthTag(b.subarray(ivAt + ivBytes, ivAt + ivBytes + tagBytes));
    try {
      return Buffer.concat([decipher.update(b.subarray(ivAt + ivBytes + tagBytes)), decipher.final()]);
    } catch {
      throw new SealedDataInvalid('The sealed object was altered or belongs to another context');
    }
  } finally {
    key.fill(0);
  }
}
