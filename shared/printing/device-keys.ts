// A printer's own keys, made and kept on the device: X25519 to receive print files sealed for it alone, Ed25519 to
// sign what it reports. The platform only ever learns the public halves.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { canonicalJson } from '../ledger/transaction.js';
import { generateDeviceEncryptionKey } from './print-file-seal.js';

export interface DeviceKeys {
  encryption: { publicKey: string; privateKey: string };
  signing: { publicKey: string; privateKey: string };
}

export interface DevicePublicKeys {
  encryptionKey: string;
  signingKey: string;
}

export function generateDeviceKeys(): DeviceKeys {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    encryption: generateDeviceEncryptionKey(),
    signing: { publicKey: publicKey.export({ format: 'jwk' }).x as string, privateKey: jwk.d as string },
  };
}

export const publicKeys = (k: DeviceKeys): DevicePublicKeys => ({ encryptionKey: k.encryption.publicKey, signingKey: k.signing.publicKey });

export interface SignedReport<T> {
  report: T;
  /** Ed25519 over the canonical JSON of `report`, base64url. */
  signature: string;
}

export function signReport<T>(report: T, keys: DeviceKeys): SignedReport<T> {
  const key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: keys.signing.privateKey, x: keys.signing.publicKey }, format: 'jwk' });
  return { report, signature: sign(null, Buffer.from(canonicalJson(report)), key).toString('base64url') };
}

export function verifyReport<T>(signed: SignedReport<T>, signingKey: string): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: signingKey }, format: 'jwk' });
    return verify(null, Buffer.from(canonicalJson(signed.report)), key, Buffer.from(signed.signature, 'base64url'));
  } catch {
    return false;
  }
}
