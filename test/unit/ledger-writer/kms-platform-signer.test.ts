// The platform signer's KMS calls as AWS expects them (mocked client; the local KMS test signs for real).
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import bs58 from 'bs58';
import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { KmsPlatformSigner } from '../../../shared/adapters/kms-platform-signer.js';
import { verifyEd25519 } from '../../../shared/ledger/transaction.js';

describe('KmsPlatformSigner', () => {
  const kms = mockClient(KMSClient);
  const { privateKey } = generateKeyPairSync('ed25519');
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  beforeEach(() => kms.reset());

  it('signs the raw message with ED25519_SHA_512 and gives the base58 public key once', async () => {
    kms.on(GetPublicKeyCommand).resolves({ KeySpec: 'ECC_NIST_EDWARDS25519', PublicKey: spki });
    kms.on(SignCommand).callsFake((input: { Message: Uint8Array }) => ({ Signature: sign(null, input.Message, privateKey) }));
    const signer = new KmsPlatformSigner(new KMSClient({ region: 'eu-west-1' }), 'alias/ledger');
    const message = Buffer.from('digest of a transaction');
    expect(await signer.publicKey()).toBe(bs58.encode(spki.subarray(-32)));
    await signer.publicKey();
    const signature = await signer.sign(message);
    expect(verifyEd25519(spki.subarray(-32), message, signature)).toBe(true);
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
    expect(kms.commandCalls(SignCommand)[0]!.args[0].input).toEqual({ KeyId: 'alias/ledger', Message: message, MessageType: 'RAW', SigningAlgorithm: 'ED25519_SHA_512' });
  });

  it('refuses a key that is not Ed25519, and asks again after a failure', async () => {
    kms.on(GetPublicKeyCommand).resolvesOnce({ KeySpec: 'ECC_NIST_P256', PublicKey: new Uint8Array(91) }).resolves({ KeySpec: 'ECC_NIST_EDWARDS25519', PublicKey: spki });
    const signer = new KmsPlatformSigner(new KMSClient({ region: 'eu-west-1' }), 'k');
    await expect(signer.publicKey()).rejects.toThrow('not an Ed25519 signing key');
    expect(await signer.publicKey()).toBe(bs58.encode(spki.subarray(-32)));
  });
});
