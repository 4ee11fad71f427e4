// The local KMS through the unmodified KMSClient, and the adapters that use it.
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetPublicKeyCommand,
  KMSClient,
  SignCommand,
  VerifyCommand,
} from '@aws-sdk/client-kms';
import bs58 from 'bs58';
import { createPublicKey, verify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCredentials, localRegion } from '../../../local/servers/local-aws.js';
import { startKms } from '../../../local/servers/kms.js';
import { KmsDataKeys } from '../../../shared/adapters/kms-data-keys.js';
import { KmsPlatformSigner } from '../../../shared/adapters/kms-platform-signer.js';
import { open, seal } from '../../../shared/crypto/envelope.js';
import { verifyEd25519 } from '../../../shared/ledger/transaction.js';

describe('local KMS', () => {
  let dir: string;
  let kms: Awaited<ReturnType<typeof startKms>>;
  let client: KMSClient;
  let dataKey: string;
  let signKey: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpm-kms-'));
    kms = await startKms({ port: 0, dataDir: dir });
    client = new KMSClient({ endpoint: kms.url, region: localRegion, credentials: localCredentials });
    dataKey = await kms.createKey({ alias: 'alias/test-data', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', description: 'data' });
    signKey = await kms.createKey({ alias: 'alias/test-sign', keySpec: 'ECC_NIST_EDWARDS25519', keyUsage: 'SIGN_VERIFY', description: 'ledger' });
  });

  afterAll(async () => {
    client?.destroy();
    await kms?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates keys idempotently by alias and resolves ids, ARNs and aliases', async () => {
    expect(await kms.createKey({ alias: 'alias/test-data', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', description: 'again' })).toBe(dataKey);
    for (const ref of [dataKey, `arn:aws:kms:eu-west-1:000000000000:key/${dataKey}`, 'alias/test-data', 'arn:aws:kms:eu-west-1:000000000000:alias/test-data']) {
      expect((await client.send(new DescribeKeyCommand({ KeyId: ref }))).KeyMetadata?.KeyId).toBe(dataKey);
    }
    await expect(client.send(new DescribeKeyCommand({ KeyId: 'alias/nope' }))).rejects.toMatchObject({ name: 'NotFoundException' });
    const created = await client.send(new CreateKeyCommand({ Description: 'via SDK' }));
    await client.send(new CreateAliasCommand({ AliasName: 'alias/sdk', TargetKeyId: created.KeyMetadata!.KeyId }));
    await expect(client.send(new CreateAliasCommand({ AliasName: 'alias/sdk', TargetKeyId: dataKey }))).rejects.toMatchObject({ name: 'AlreadyExistsException' });
  });

  it('generates data keys and decrypts them only with the same encryption context', async () => {
    const out = await client.send(new GenerateDataKeyCommand({ KeyId: 'alias/test-data', KeySpec: 'AES_256', EncryptionContext: { designId: 'd1' } }));
    expect(out.Plaintext).toHaveLength(32);
    const back = await client.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob, EncryptionContext: { designId: 'd1' } }));
    expect(Buffer.from(back.Plaintext!).equals(Buffer.from(out.Plaintext!))).toBe(true);
    await expect(client.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob, EncryptionContext: { designId: 'd2' } }))).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
    const tampered = Uint8Array.from(out.CiphertextBlob!);
    tampered[tampered.length - 1]! ^= 1;
    await expect(client.send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: { designId: 'd1' } }))).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
    const enc = await client.send(new EncryptCommand({ KeyId: dataKey, Plaintext: Buffer.from('hello') }));
    expect(Buffer.from((await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).Plaintext!).toString()).toBe('hello');
  });

  it('signs with Ed25519 so that node:crypto verifies against GetPublicKey, and rejects wrong usage', async () => {
    const message = Buffer.from('a BigchainDB signing digest');
    const { Signature } = await client.send(new SignCommand({ KeyId: signKey, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ED25519_SHA_512' }));
    const { PublicKey } = await client.send(new GetPublicKeyCommand({ KeyId: signKey }));
    expect(verify(null, message, createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' }), Signature!)).toBe(true);
    expect((await client.send(new VerifyCommand({ KeyId: signKey, Message: message, Signature, SigningAlgorithm: 'ED25519_SHA_512' }))).SignatureValid).toBe(true);
    const bad = Uint8Array.from(Signature!);
    bad[0]! ^= 1;
    await expect(client.send(new VerifyCommand({ KeyId: signKey, Message: message, Signature: bad, SigningAlgorithm: 'ED25519_SHA_512' }))).rejects.toMatchObject({ name: 'KMSInvalidSignatureException' });
    await expect(client.send(new SignCommand({ KeyId: dataKey, Message: message, SigningAlgorithm: 'ED25519_SHA_512' }))).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
    await expect(client.send(new GenerateDataKeyCommand({ KeyId: signKey, KeySpec: 'AES_256' }))).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
    await expect(client.send(new SignCommand({ KeyId: signKey, Message: message, MessageType: 'DIGEST', SigningAlgorithm: 'ED25519_SHA_512' }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('backs the DataKeys and PlatformSigner adapters', async () => {
    const keys = new KmsDataKeys(client, dataKey);
    const sealed = await seal(Buffer.from('solid x'), keys, { designId: 'd9' });
    expect(Buffer.from(await open(sealed, keys, { designId: 'd9' })).toString()).toBe('solid x');
    await expect(open(sealed, keys, { designId: 'd8' })).rejects.toThrow('does not belong');
    const signer = new KmsPlatformSigner(client, signKey);
    const pk = await signer.publicKey();
    const sig = await signer.sign(Buffer.from('digest'));
    expect(verifyEd25519(bs58.decode(pk), Buffer.from('digest'), sig)).toBe(true);
  });

  it('keeps keys across a restart, so earlier ciphertext still decrypts', async () => {
    const out = await client.send(new GenerateDataKeyCommand({ KeyId: dataKey, KeySpec: 'AES_256', EncryptionContext: { a: 'b' } }));
    await kms.close();
    kms = await startKms({ port: 0, dataDir: dir });
    client.destroy();
    client = new KMSClient({ endpoint: kms.url, region: localRegion, credentials: localCredentials });
    const back = await client.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob, EncryptionContext: { a: 'b' } }));
    expect(Buffer.from(back.Plaintext!).equals(Buffer.from(out.Plaintext!))).toBe(true);
    expect(await kms.createKey({ alias: 'alias/test-sign', keySpec: 'ECC_NIST_EDWARDS25519', keyUsage: 'SIGN_VERIFY', description: 'x' })).toBe(signKey);
  });

  it('answers bad requests with KMS errors', async () => {
    const post = (headers: Record<string, string>, body: string) => fetch(kms.url, { method: 'POST', headers, body }).then(async (r) => [r.status, await r.json()] as const);
    expect(await post({ 'x-amz-target': 'TrentService.Decrypt', 'content-type': 'application/x-amz-json-1.1' }, '{nope')).toEqual([400, { __type: 'SerializationException', message: 'The request body is not JSON' }]);
    expect((await post({ 'x-amz-target': 'TrentService.ScheduleKeyDeletion' }, '{}'))[1]).toMatchObject({ __type: 'UnsupportedOperationException' });
    expect((await post({}, '{}'))[1]).toMatchObject({ __type: 'UnknownOperationException' });
    expect((await post({ 'x-amz-target': 'TrentService.Encrypt' }, JSON.stringify({ KeyId: dataKey })))[1]).toMatchObject({ __type: 'ValidationException' });
  });
});
