// Which scanned or pasted texts open a product page, and what the others are told.
import { describe, expect, it } from 'vitest';
import { dpmHosts, readDigitalLink } from '../../../web/src/product/digital-link.js';

const hosts = dpmHosts('app.dpm.example', 'https://id.dpm.example');

describe('reading a Digital Link', () => {
  it('opens a product on this site or the platform’s public host, keeping the query (signature and NFC parameters)', () => {
    expect(readDigitalLink('https://id.dpm.example/01/04359999000017/21/abc-1.1?s=SIG&uid=04A1&ctr=000003&cmac=FF', hosts)).toEqual({
      kind: 'product',
      path: '/01/04359999000017/21/abc-1.1',
      gtin: '04359999000017',
      serial: 'abc-1.1',
      search: '?s=SIG&uid=04A1&ctr=000003&cmac=FF',
    });
    expect(readDigitalLink('  app.dpm.example/01/04359999000017/21/x%20y?s=1 ', hosts)).toMatchObject({ kind: 'product', serial: 'x y', path: '/01/04359999000017/21/x%20y' });
    expect(readDigitalLink('HTTP://APP.DPM.EXAMPLE/01/04359999000017/21/z/', hosts)).toMatchObject({ kind: 'product', path: '/01/04359999000017/21/z' });
  });

  it('refuses other hosts, other paths and non-links with a sentence', () => {
    expect(readDigitalLink('https://evil.example/01/04359999000017/21/abc?s=SIG', hosts)).toMatchObject({ kind: 'foreign-link', message: expect.stringContaining('not to DPM') });
    expect(readDigitalLink('https://shop.example/sale', hosts)).toMatchObject({ kind: 'foreign-link', message: expect.stringContaining('shop.example') });
    expect(readDigitalLink('https://app.dpm.example/designs/d1', hosts)).toMatchObject({ kind: 'foreign-link', message: expect.stringContaining('not to a product') });
    expect(readDigitalLink('https://app.dpm.example/01/123/21/abc', hosts).kind).toBe('foreign-link');
    expect(readDigitalLink('hello there', hosts).kind).toBe('not-a-link');
    expect(readDigitalLink('WIFI:S:home;T:WPA;P:secret;;', hosts).kind).toBe('not-a-link');
    expect(readDigitalLink('', hosts)).toMatchObject({ kind: 'not-a-link', message: expect.stringContaining('Paste') });
  });

  it('accepts only this site when no public host is configured', () => {
    expect(dpmHosts('localhost:3000')).toEqual(['localhost:3000']);
    expect(dpmHosts('localhost:3000', 'http://localhost:3000')).toEqual(['localhost:3000']);
    expect(dpmHosts('localhost:3000', 'not a url')).toEqual(['localhost:3000']);
    expect(readDigitalLink('localhost:3000/01/04359999000017/21/a', dpmHosts('localhost:3000')).kind).toBe('product');
  });
});
