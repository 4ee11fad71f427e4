// The platform's ledger key in KMS (ECC_NIST_EDWARDS25519): pure Ed25519 over the message (ED25519_SHA_512, RAW),
// which is exactly what a BigchainDB ed25519-sha-256 fulfillment carries. The private key never leaves KMS.
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import bs58 from 'bs58';
import type { PlatformSigner } from '../ledger/ports.js';
import { rawEd25519FromSpki } from '../ledger/transaction.js';
import { reportUnavailable } from './aws-unavailable.js';

export class KmsPlatformSigner implements PlatformSigner {
  private key: Promise<string> | undefined;
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {
    reportUnavailable(kms, 'KMS');
  }

  publicKey(): Promise<string> {
    this.key ??= this.kms.send(new GetPublicKeyCommand({ KeyId: this.keyId })).then((out) => {
      if (out.KeySpec !== 'ECC_NIST_EDWARDS25519' || !out.PublicKey) throw new Error(`KMS key ${this.keyId} is not an Ed25519 signing key`);
      return bs58.encode(rawEd25519FromSpki(out.PublicKey));
    });
    this.key.catch(() => (this.key = undefined));
    return this.key;
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    const out = await this.kms.send(new SignCommand({ KeyId: this.keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ED25519_SHA_512' }));
    if (!out.Signature || out.Signature.length !== 64) throw new Error('KMS returned no Ed25519 signature');
    return out.Signature;
  }
}
