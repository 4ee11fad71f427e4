// NFC tags in the style of NXP NTAG 424 DNA with Secure Unique NFC (SUN) messages: each tag has its own AES-128 key
// and a read counter; every tap produces a URL carrying the tag's UID, the counter and a CMAC over both under a
// session key derived from the tag key (NXP AN12196, "SDMMAC" with plain UID and counter mirroring). A copied URL
// replays an old counter; a cloned tag without the key cannot produce a valid CMAC.
import { createCipheriv, randomBytes, timingSafeEqual } from 'node:crypto';

const zero = Buffer.alloc(16);

function aesEcb(key: Buffer, block: Buffer): Buffer {
  const c = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

function shiftLeft(b: Buffer): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = ((b[i]! << 1) | (i < 15 ? b[i + 1]! >> 7 : 0)) & 0xff;
  return out;
}

function subkey(b: Buffer): Buffer {
  const k = shiftLeft(b);
  if (b[0]! & 0x80) k[15] = k[15]! ^ 0x87;
  return k;
}

/** AES-CMAC (RFC 4493). Node's crypto has no CMAC; this is the RFC's algorithm over AES-128-ECB blocks. */
export function aesCmac(key: Uint8Array, message: Uint8Array): Buffer {
  if (key.length !== 16) throw new Error('AES-CMAC needs a 16-byte key');
  const k = Buffer.from(key);
  const k1 = subkey(aesEcb(k, zero));
  const k2 = subkey(k1);
  const m = Buffer.from(message);
  const blocks = Math.max(1, Math.ceil(m.length / 16));
  const complete = m.length > 0 && m.length % 16 === 0;
  const last = Buffer.alloc(16);
  m.copy(last, 0, (blocks - 1) * 16);
  if (!complete) last[m.length - (blocks - 1) * 16] = 0x80;
  const lastKey = complete ? k1 : k2;
  for (let i = 0; i < 16; i++) last[i] = last[i]! ^ lastKey[i]!;
  let x: Buffer = Buffer.alloc(16);
  for (let b = 0; b < blocks - 1; b++) {
    const y = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) y[i] = x[i]! ^ m[b * 16 + i]!;
    x = aesEcb(k, y);
  }
  for (let i = 0; i < 16; i++) last[i] = last[i]! ^ x[i]!;
  return aesEcb(k, last);
}

/** The SUN MAC of one tap: session key CMAC(K, SV2), then the odd bytes of CMAC(session key, empty). */
export function sunMac(tagKey: Uint8Array, uid: Uint8Array, counter: number): Buffer {
  if (uid.length !== 7) throw new Error('An NTAG 424 UID has 7 bytes');
  if (!Number.isInteger(counter) || counter < 0 || counter > 0xffffff) throw new Error('The read counter has 3 bytes');
  const sv2 = Buffer.concat([Buffer.from([0x3c, 0xc3, 0x00, 0x01, 0x00, 0x80]), Buffer.from(uid), Buffer.from([counter & 0xff, (counter >> 8) & 0xff, (counter >> 16) & 0xff])]);
  const session = aesCmac(tagKey, sv2);
  const full = aesCmac(session, new Uint8Array());
  return Buffer.from([1, 3, 5, 7, 9, 11, 13, 15].map((i) => full[i]!));
}

export interface SunReading {
  uid: string;
  counter: number;
  cmac: string;
}

/** Reads `uid`, `ctr` and `cmac` from a tapped URL's query (hex, as the tag mirrors them), or undefined if absent. */
export function parseSun(query: Record<string, string | undefined>): SunReading | undefined | 'malformed' {
  const { uid, ctr, cmac } = query;
  if (uid === undefined && ctr === undefined && cmac === undefined) return undefined;
  if (!/^[0-9A-Fa-f]{14}$/.test(uid ?? '') || !/^[0-9A-Fa-f]{6}$/.test(ctr ?? '') || !/^[0-9A-Fa-f]{16}$/.test(cmac ?? '')) return 'malformed';
  // The counter is mirrored most significant byte first (NXP's ASCII mirror).
  return { uid: uid!.toUpperCase(), counter: parseInt(ctr!, 16), cmac: cmac!.toUpperCase() };
}

export function sunMacValid(tagKey: Uint8Array, r: SunReading): boolean {
  const expected = sunMac(tagKey, Buffer.from(r.uid, 'hex'), r.counter);
  return timingSafeEqual(expected, Buffer.from(r.cmac, 'hex'));
}

/** A new tag's identity: a 7-byte UID (NXP's 04 prefix) and its AES-128 key. */
export function newTagIdentity(): { uid: string; key: Buffer } {
  return { uid: Buffer.concat([Buffer.from([0x04]), randomBytes(6)]).toString('hex').toUpperCase(), key: randomBytes(16) };
}

/** A simulated tag, as the embedded platform and tests tap it: each tap increments the counter and signs it. */
export class SimulatedTag {
  private counter: number;
  constructor(
    private readonly key: Uint8Array,
    readonly uid: string,
    counter = 0,
  ) {
    this.counter = counter;
  }

  /** The URL a phone opens when it taps the tag: the printed Digital Link plus this tap's SUN parameters. */
  tap(printedUrl: string): string {
    this.counter += 1;
    const url = new URL(printedUrl);
    url.searchParams.set('uid', this.uid);
    url.searchParams.set('ctr', this.counter.toString(16).toUpperCase().padStart(6, '0'));
    url.searchParams.set('cmac', sunMac(this.key, Buffer.from(this.uid, 'hex'), this.counter).toString('hex').toUpperCase());
    return url.toString();
  }
}
