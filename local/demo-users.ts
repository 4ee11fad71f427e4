// Demo accounts the embedded platform creates on first start. Local only: these passwords are public.
import type { UserGroup } from '../infra/platform.js';

export const demoUsers: readonly { username: string; password: string; group: UserGroup }[] = [
  { username: 'designer@dpm.local', password: 'Designer-pass-1', group: 'designer' },
  { username: 'customer@dpm.local', password: 'Customer-pass-1', group: 'customer' },
  { username: 'printer@dpm.local', password: 'Printer-pass-1', group: 'printer' },
  { username: 'admin@dpm.local', password: 'Admin-pass-1', group: 'admin' },
  { username: 'partner@dpm.local', password: 'Partner-pass-1', group: 'partner' },
];
