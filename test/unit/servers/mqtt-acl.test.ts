import { describe, expect, it } from 'vitest';
import { assertThingName, thingAcl } from '../../../local/servers/mqtt-acl.js';

describe('printer topic ACL (mirrors the IoT policy)', () => {
  const acl = thingAcl('printer-1');

  it('allows a thing its own topics', () => {
    expect(acl.canPublish('dpm/printers/printer-1/telemetry')).toBe(true);
    expect(acl.canPublish('$aws/things/printer-1/shadow/update')).toBe(true);
    expect(acl.canPublish('$aws/things/printer-1/jobs/j1/update')).toBe(true);
    expect(acl.canSubscribe('dpm/printers/printer-1/jobs')).toBe(true);
    expect(acl.canSubscribe('dpm/printers/printer-1/#')).toBe(true);
    expect(acl.canSubscribe('$aws/things/printer-1/shadow/+/accepted')).toBe(true);
  });

  it('refuses other things’ topics and filters that would reach them', () => {
    expect(acl.canPublish('dpm/printers/printer-2/telemetry')).toBe(false);
    expect(acl.canPublish('$aws/things/printer-2/shadow/update')).toBe(false);
    expect(acl.canSubscribe('dpm/printers/+/telemetry')).toBe(false);
    expect(acl.canSubscribe('dpm/printers/#')).toBe(false);
    expect(acl.canSubscribe('#')).toBe(false);
    expect(acl.canSubscribe('$aws/things/+/shadow/update')).toBe(false);
  });

  it('is not fooled by names that share a prefix or by regex characters', () => {
    expect(acl.canPublish('dpm/printers/printer-10/telemetry')).toBe(false);
    expect(acl.canPublish('dpm/printers/printer-1')).toBe(false);
    expect(thingAcl('a:b_c').canPublish('dpm/printers/a:b_c/x')).toBe(true);
    expect(thingAcl('a:b_c').canPublish('dpm/printers/aXb_c/x')).toBe(false);
  });

  it('refuses wildcards in published topics, empty topics and NULs', () => {
    expect(acl.canPublish('dpm/printers/printer-1/+')).toBe(false);
    expect(acl.canPublish('')).toBe(false);
    expect(acl.canSubscribe('dpm/printers/printer-1/\u0000')).toBe(false);
  });

  it('validates thing names like AWS IoT', () => {
    expect(() => assertThingName('ok_Name:1-2')).not.toThrow();
    for (const bad of ['', 'has space', 'slash/es', 'x'.repeat(129), '$aws', 'plus+']) expect(() => assertThingName(bad), bad).toThrow('Invalid thing name');
  });
});
