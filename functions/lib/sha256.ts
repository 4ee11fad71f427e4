// The SHA-256 the AWS SDK clients sign requests with (their `sha256` option). SigV4 computes two HMACs per request:
// one keyed by the secret access key (to look up its cache of signing keys) and one keyed by the cached signing key.
// The SDK's own Hash hands node:crypto every key as a Buffer, and on Node 24 createHmac with a Buffer key takes a slow
// path: about 18 µs against 4 µs with a KeyObject or a string key (measured with Node 24.21). Every Lambda's requests
// pay it, on the one thread the embedded platform runs them on. So a string key is passed as it is, and a binary key
// becomes a KeyObject once per key object: the signing key is the same Uint8Array for a whole day.
import { createHash, createHmac, createSecretKey, type Hash, type Hmac, type KeyObject } from 'node:crypto';

type SourceData = string | ArrayBuffer | ArrayBufferView;

// By the key's object, checked against a copy of its bytes: a key changed in place is made again.
const keyObjects = new WeakMap<object, { bytes: Buffer; key: KeyObject }>();

const bytes = (data: ArrayBuffer | ArrayBufferView) => (ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data));

function hmacKey(secret: SourceData): string | KeyObject {
  if (typeof secret === 'string') return secret;
  const raw = bytes(secret);
  const known = keyObjects.get(secret);
  if (known?.bytes.equals(raw)) return known.key;
  const key = createSecretKey(raw);
  keyObjects.set(secret, { bytes: Buffer.from(raw), key });
  return key;
}

/** SHA-256, or HMAC-SHA-256 when constructed with a secret, as the SDK's `ChecksumConstructor` expects. */
export class Sha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.start();
  }

  update(data: SourceData, encoding?: 'utf8' | 'ascii' | 'latin1'): void {
    if (typeof data === 'string') this.hash.update(data, encoding ?? 'utf8');
    else this.hash.update(bytes(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }

  reset(): void {
    this.hash = this.start();
  }

  // As in the SDK's own Hash: no secret (or an empty string) is a plain hash.
  private start() {
    return this.secret ? createHmac('sha256', hmacKey(this.secret)) : createHash('sha256');
  }
}
