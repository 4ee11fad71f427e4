// A local KMS speaking the real JSON 1.1 protocol (`X-Amz-Target: TrentService.<Op>`), so the unmodified KMSClient
// works against it, for the operations DPM uses: data keys, Encrypt/Decrypt with encryption context, and Ed25519
// Sign/Verify/GetPublicKey. Key material lives in the data directory so data sealed before a restart opens after it.
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync, randomBytes, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { closeServer, listen, type LocalServer } from '../server.js';
import { AwsJsonError, awsJsonHandler } from './aws-json.js';
import { localAccount, localRegion } from './local-aws.js';

export interface KmsOptions {
  port?: number;
  host?: string;
  dataDir: string;
}

type KeySpec = 'SYMMETRIC_DEFAULT' | 'ECC_NIST_EDWARDS25519';
type KeyUsage = 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY';

interface StoredKey {
  keyId: string;
  keySpec: KeySpec;
  keyUsage: KeyUsage;
  description: string;
  createdAt: number;
  /** base64: 32 random bytes (symmetric) or the PKCS#8 DER private key (Ed25519). */
  material: string;
}

interface KeyFile {
  keys: StoredKey[];
  aliases: Record<string, string>;
}

class KmsError extends AwsJsonError {}

const maxBody = 64 * 1024;
const blobMagic = Buffer.from('DPMKMS1');
const arnOf = (keyId: string) => `arn:aws:kms:${localRegion}:${localAccount}:key/${keyId}`;

export async function startKms(opts: KmsOptions) {
  const host = opts.host ?? '127.0.0.1';
  await mkdir(opts.dataDir, { recursive: true });
  const file = join(opts.dataDir, 'keys.json');
  const state: KeyFile = await readFile(file, 'utf8').then(
    (t) => JSON.parse(t) as KeyFile,
    () => ({ keys: [], aliases: {} }),
  );
  let saving = Promise.resolve();
  const save = () => {
    // Written to a temporary file and renamed: a crash leaves the old or the new file, never half of one.
    saving = saving.then(async () => {
      await writeFile(`${file}.tmp`, JSON.stringify(state));
      await rename(`${file}.tmp`, file);
    });
    return saving;
  };

  const resolve = (keyRef: unknown): StoredKey => {
    if (typeof keyRef !== 'string' || !keyRef) throw new KmsError('ValidationException', 'KeyId is required');
    let id = keyRef;
    const aliasName = keyRef.startsWith('alias/') ? keyRef : /^arn:aws:kms:[^:]+:[^:]+:(alias\/.+)$/.exec(keyRef)?.[1];
    if (aliasName) {
      const target = state.aliases[aliasName];
      if (!target) throw new KmsError('NotFoundException', `Alias ${arnOf(aliasName).replace('key/', '')} is not found.`);
      id = target;
    } else {
      id = /^arn:aws:kms:[^:]+:[^:]+:key\/(.+)$/.exec(keyRef)?.[1] ?? keyRef;
    }
    const key = state.keys.find((k) => k.keyId === id);
    if (!key) throw new KmsError('NotFoundException', `Key '${arnOf(id)}' does not exist`);
    return key;
  };

  const metadata = (k: StoredKey) => ({
    AWSAccountId: localAccount,
    KeyId: k.keyId,
    Arn: arnOf(k.keyId),
    CreationDate: k.createdAt / 1000,
    Enabled: true,
    Description: k.description,
    KeyUsage: k.keyUsage,
    KeyState: 'Enabled',
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    KeySpec: k.keySpec,
    CustomerMasterKeySpec: k.keySpec,
    EncryptionAlgorithms: k.keyUsage === 'ENCRYPT_DECRYPT' ? ['SYMMETRIC_DEFAULT'] : undefined,
    SigningAlgorithms: k.keyUsage === 'SIGN_VERIFY' ? ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] : undefined,
  });

  const createKey = async (spec: KeySpec, usage: KeyUsage, description: string): Promise<StoredKey> => {
    if (spec === 'SYMMETRIC_DEFAULT' && usage !== 'ENCRYPT_DECRYPT') throw new KmsError('ValidationException', 'SYMMETRIC_DEFAULT keys are for ENCRYPT_DECRYPT');
    if (spec === 'ECC_NIST_EDWARDS25519' && usage !== 'SIGN_VERIFY') throw new KmsError('ValidationException', 'ECC_NIST_EDWARDS25519 keys are for SIGN_VERIFY');
    const material =
      spec === 'SYMMETRIC_DEFAULT'
        ? randomBytes(32).toString('base64')
        : generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    const key: StoredKey = { keyId: randomUUID(), keySpec: spec, keyUsage: usage, description, createdAt: Date.now(), material };
    state.keys.push(key);
    await save();
    return key;
  };

  // Each key's material as a KeyObject, made on its first use: parsing an Ed25519 key's PKCS#8 DER costs about 70 µs,
  // more than the signature it is for, and every Sign, Verify and GetPublicKey needed it.
  const keyObjects = new WeakMap<StoredKey, KeyObject>();
  const keyObjectOf = (k: StoredKey): KeyObject => {
    let o = keyObjects.get(k);
    if (!o) {
      const material = Buffer.from(k.material, 'base64');
      o = k.keySpec === 'SYMMETRIC_DEFAULT' ? createSecretKey(material) : createPrivateKey({ key: material, format: 'der', type: 'pkcs8' });
      keyObjects.set(k, o);
    }
    return o;
  };

  const requireUsage = (k: StoredKey, usage: KeyUsage, op: string) => {
    if (k.keyUsage !== usage) throw new KmsError('InvalidKeyUsageException', `${arnOf(k.keyId)} key usage is ${k.keyUsage} which is not valid for ${op}.`);
  };

  const context = (v: unknown): Buffer => {
    if (v === undefined || v === null) return Buffer.alloc(0);
    if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
      throw new KmsError('ValidationException', 'EncryptionContext must be a map of strings');
    }
    const entries = Object.entries(v as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Buffer.from(JSON.stringify(entries));
  };

  const bytes = (v: unknown, name: string, max = 4096): Buffer => {
    if (typeof v !== 'string') throw new KmsError('ValidationException', `${name} is required`);
    const b = Buffer.from(v, 'base64');
    if (b.length === 0 || b.length > max) throw new KmsError('ValidationException', `${name} must be 1 to ${max} bytes`);
    return b;
  };

  // The ciphertext blob names its key, like AWS's, so Decrypt works without a KeyId.
  const encrypt = (k: StoredKey, plaintext: Buffer, aad: Buffer): Buffer => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keyObjectOf(k), iv).setAAD(aad);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([blobMagic, Buffer.from(k.keyId.replaceAll('-', ''), 'hex'), iv, cipher.getAuthTag(), body]);
  };

  const decrypt = (blob: Buffer, aad: Buffer, keyRef: unknown): { key: StoredKey; plaintext: Buffer } => {
    if (blob.length < blobMagic.length + 16 + 12 + 16 || !blob.subarray(0, blobMagic.length).equals(blobMagic)) throw new KmsError('InvalidCiphertextException', '');
    const hex = blob.subarray(blobMagic.length, blobMagic.length + 16).toString('hex');
    const keyId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    const key = state.keys.find((k) => k.keyId === keyId);
    if (!key) throw new KmsError('InvalidCiphertextException', '');
    if (keyRef !== undefined && resolve(keyRef).keyId !== keyId) throw new KmsError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
    requireUsage(key, 'ENCRYPT_DECRYPT', 'Decrypt');
    let at = blobMagic.length + 16;
    const iv = blob.subarray(at, (at += 12));
    const tag = blob.subarray(at, (at += 16));
    try {
      const d = createDecipheriv('aes-256-gcm', keyObjectOf(key), iv).setAAD(aad);
      d.setAuthTag(tag);
      return { key, plaintext: Buffer.concat([d.update(blob.subarray(at)), d.final()]) };
    } catch {
      // AWS gives no detail either: a wrong context and a tampered blob look the same.
      throw new KmsError('InvalidCiphertextException', '');
    }
  };

  const dataKeyLength = (b: Record<string, unknown>): number => {
    if (b.KeySpec === 'AES_256') return 32;
    if (b.KeySpec === 'AES_128') return 16;
    if (b.KeySpec !== undefined) throw new KmsError('ValidationException', `Unsupported KeySpec ${String(b.KeySpec)}`);
    const n = b.NumberOfBytes;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1024) throw new KmsError('ValidationException', 'Either KeySpec or NumberOfBytes (1..1024) is required');
    return n;
  };

  const signingMessage = (k: StoredKey, b: Record<string, unknown>): { message: Buffer; prehashed: boolean } => {
    requireUsage(k, 'SIGN_VERIFY', String(b.SigningAlgorithm));
    const message = bytes(b.Message, 'Message');
    const type = b.MessageType ?? 'RAW';
    if (b.SigningAlgorithm === 'ED25519_SHA_512') {
      if (type !== 'RAW') throw new KmsError('ValidationException', 'ED25519_SHA_512 requires MessageType RAW');
      return { message, prehashed: false };
    }
    if (b.SigningAlgorithm === 'ED25519_PH_SHA_512') {
      // Ed25519ph is not in node:crypto; DPM never uses it, so refuse clearly rather than sign something else.
      throw new KmsError('UnsupportedOperationException', 'ED25519_PH_SHA_512 is not supported by the local KMS');
    }
    throw new KmsError('InvalidKeyUsageException', `Algorithm ${String(b.SigningAlgorithm)} is incompatible with key spec ${k.keySpec}.`);
  };

  const ops: Record<string, (b: Record<string, unknown>) => Promise<unknown> | unknown> = {
    CreateKey: async (b) => ({ KeyMetadata: metadata(await createKey((b.KeySpec ?? 'SYMMETRIC_DEFAULT') as KeySpec, (b.KeyUsage ?? 'ENCRYPT_DECRYPT') as KeyUsage, String(b.Description ?? ''))) }),
    CreateAlias: async (b) => {
      const name = b.AliasName;
      if (typeof name !== 'string' || !/^alias\/[a-zA-Z0-9/_-]+$/.test(name) || name.startsWith('alias/aws/')) throw new KmsError('ValidationException', 'AliasName must look like alias/name');
      if (state.aliases[name]) throw new KmsError('AlreadyExistsException', `An alias with the name ${arnOf(name).replace('key/', '')} already exists`);
      state.aliases[name] = resolve(b.TargetKeyId).keyId;
      await save();
      return {};
    },
    ListAliases: () => ({
      Aliases: Object.entries(state.aliases).map(([AliasName, TargetKeyId]) => ({ AliasName, TargetKeyId, AliasArn: `arn:aws:kms:${localRegion}:${localAccount}:${AliasName}` })),
      Truncated: false,
    }),
    DescribeKey: (b) => ({ KeyMetadata: metadata(resolve(b.KeyId)) }),
    GenerateDataKey: (b) => {
      const k = resolve(b.KeyId);
      requireUsage(k, 'ENCRYPT_DECRYPT', 'GenerateDataKey');
      const plaintext = randomBytes(dataKeyLength(b));
      return { KeyId: arnOf(k.keyId), Plaintext: plaintext.toString('base64'), CiphertextBlob: encrypt(k, plaintext, context(b.EncryptionContext)).toString('base64') };
    },
    GenerateDataKeyWithoutPlaintext: (b) => {
      const k = resolve(b.KeyId);
      requireUsage(k, 'ENCRYPT_DECRYPT', 'GenerateDataKeyWithoutPlaintext');
      return { KeyId: arnOf(k.keyId), CiphertextBlob: encrypt(k, randomBytes(dataKeyLength(b)), context(b.EncryptionContext)).toString('base64') };
    },
    Encrypt: (b) => {
      const k = resolve(b.KeyId);
      requireUsage(k, 'ENCRYPT_DECRYPT', 'Encrypt');
      return { KeyId: arnOf(k.keyId), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT', CiphertextBlob: encrypt(k, bytes(b.Plaintext, 'Plaintext'), context(b.EncryptionContext)).toString('base64') };
    },
    Decrypt: (b) => {
      const { key, plaintext } = decrypt(bytes(b.CiphertextBlob, 'CiphertextBlob', 6144), context(b.EncryptionContext), b.KeyId);
      return { KeyId: arnOf(key.keyId), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT', Plaintext: plaintext.toString('base64') };
    },
    GetPublicKey: (b) => {
      const k = resolve(b.KeyId);
      requireUsage(k, 'SIGN_VERIFY', 'GetPublicKey');
      const pub = createPublicKey(keyObjectOf(k));
      return { KeyId: arnOf(k.keyId), KeySpec: k.keySpec, KeyUsage: k.keyUsage, SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'], PublicKey: pub.export({ format: 'der', type: 'spki' }).toString('base64') };
    },
    Sign: (b) => {
      const k = resolve(b.KeyId);
      const { message } = signingMessage(k, b);
      const signature = sign(null, message, keyObjectOf(k));
      return { KeyId: arnOf(k.keyId), SigningAlgorithm: b.SigningAlgorithm, Signature: signature.toString('base64') };
    },
    Verify: (b) => {
      const k = resolve(b.KeyId);
      const { message } = signingMessage(k, b);
      const pub = createPublicKey(keyObjectOf(k));
      if (!verify(null, message, pub, bytes(b.Signature, 'Signature'))) throw new KmsError('KMSInvalidSignatureException', '');
      return { KeyId: arnOf(k.keyId), SigningAlgorithm: b.SigningAlgorithm, SignatureValid: true };
    },
  };

  const server = createServer(
    awsJsonHandler({
      targetPrefix: 'TrentService.',
      contentType: 'application/x-amz-json-1.1',
      maxBodyBytes: maxBody,
      ops,
      errors: {
        unknownOperation: (op) =>
          op ? new KmsError('UnsupportedOperationException', `${op} is not supported by the local KMS`) : new KmsError('UnknownOperationException', 'Use POST with X-Amz-Target: TrentService.<Operation>'),
        notJson: () => new KmsError('SerializationException', 'The request body is not JSON'),
        tooLarge: () => new KmsError('ValidationException', `Request body over ${maxBody} bytes`, 413),
        internalType: 'KMSInternalException',
      },
    }),
  );

  const port = await listen(server, opts.port ?? 0, host, 'kms');
  const url = `http://${host}:${port}`;
  return {
    name: 'kms',
    url,
    port,
    async health() {
      return { ok: true, detail: `${state.keys.length} keys` };
    },
    async close() {
      await saving;
      await closeServer(server);
    },
    /** Creates a key under an alias, or returns the key the alias already names: `npm start` calls this every time. */
    async createKey(o: { alias: string; keySpec: KeySpec; keyUsage: KeyUsage; description: string }): Promise<string> {
      const existing = state.aliases[o.alias];
      if (existing) return existing;
      const key = await createKey(o.keySpec, o.keyUsage, o.description);
      state.aliases[o.alias] = key.keyId;
      await save();
      return key.keyId;
    },
  } satisfies LocalServer & Record<string, unknown>;
}
