// The SHA-256 the functions' AWS clients sign with (functions/lib/sha256.ts) against node:crypto, and against a
// published SigV4 example, signed twice so the second signature uses the signer's cached key (a kept KeyObject).
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { Sha256 } from '../../../functions/lib/sha256.js';

const hex = async (h: Sha256) => Buffer.from(await h.digest()).toString('hex');

describe('the SHA-256 AWS requests are signed with', () => {
  it('hashes, and HMACs under string, byte, view and ArrayBuffer keys, as node:crypto does', async () => {
    const plain = new Sha256();
    plain.update('ab');
    plain.update(new TextEncoder().encode('cé'));
    expect(await hex(plain)).toBe(createHash('sha256').update('abcé').digest('hex'));

    const bytes = Buffer.from('0123456789abcdef0123456789abcdef');
    const joined = Buffer.concat([Buffer.from('xx'), bytes]);
    const view = new Uint8Array(joined.buffer, joined.byteOffset + 2, 32);
    const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
    const expected = createHmac('sha256', bytes).update('to sign').digest('hex');
    for (const key of [bytes, view, arrayBuffer, bytes]) {
      const h = new Sha256(key);
      h.update('to sign');
      expect(await hex(h)).toBe(expected);
    }
    const s = new Sha256('kéy');
    s.update('to sign');
    expect(await hex(s)).toBe(createHmac('sha256', 'kéy').update('to sign').digest('hex'));
  });

  it('does not keep a key changed in place, and starts again on reset', async () => {
    const key = new Uint8Array(32).fill(1);
    const first = new Sha256(key);
    first.update('x');
    expect(await hex(first)).toBe(createHmac('sha256', key).update('x').digest('hex'));
    key.fill(2);
    const second = new Sha256(key);
    second.update('half');
    second.reset();
    second.update('x');
    expect(await hex(second)).toBe(createHmac('sha256', Buffer.alloc(32, 2)).update('x').digest('hex'));
  });

  it('signs the AWS SigV4 test suite’s get-vanilla request with its published signature', async () => {
    const signer = new SignatureV4({
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      region: 'us-east-1',
      service: 'service',
      sha256: Sha256,
      applyChecksum: false,
    });
    const request = () => ({ method: 'GET', protocol: 'https:', hostname: 'example.amazonaws.com', path: '/', headers: { host: 'example.amazonaws.com' }, query: {} });
    for (let i = 0; i < 2; i++) {
      const signed = await signer.sign(request(), { signingDate: new Date('2015-08-30T12:36:00Z') });
      expect(signed.headers.authorization).toBe(
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
      );
    }
  });
});
