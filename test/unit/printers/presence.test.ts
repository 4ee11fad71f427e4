// Whether the operator's dashboard calls a printer online: its last report says so and is recent enough.
import { describe, expect, it } from 'vitest';
import { presence } from '../../../shared/printers/manage-printer.js';

describe('printer presence', () => {
  const now = new Date('2026-12-02T10:00:00Z');
  const ago = (s: number) => new Date(now.getTime() - s * 1000).toISOString();

  it('is online while reports keep coming, and offline once three heartbeats (at least 90 s) were missed', () => {
    expect(presence({ status: 'printing', at: ago(5), heartbeatSeconds: 5 }, now)).toEqual({ online: true, status: 'printing', lastReportAt: ago(5) });
    expect(presence({ status: 'idle', at: ago(89), heartbeatSeconds: 5 }, now).online).toBe(true);
    expect(presence({ status: 'idle', at: ago(91), heartbeatSeconds: 5 }, now)).toEqual({ online: false, status: 'offline', lastReportAt: ago(91) });
    expect(presence({ status: 'idle', at: ago(170), heartbeatSeconds: 60 }, now).online).toBe(true);
    expect(presence({ status: 'idle', at: ago(181), heartbeatSeconds: 60 }, now).online).toBe(false);
  });

  it('believes a printer that said it went offline, and knows one that never connected', () => {
    expect(presence({ status: 'offline', at: ago(1) }, now)).toMatchObject({ online: false, status: 'offline' });
    expect(presence(undefined, now)).toEqual({ online: false, status: 'never connected', lastReportAt: null });
  });

  it('trusts the status of a report without a time (agents from before reports were timed)', () => {
    expect(presence({ status: 'idle' }, now)).toEqual({ online: true, status: 'idle', lastReportAt: null });
  });
});
