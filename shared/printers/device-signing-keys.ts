// Printers' device signing keys, which verify their signed reports. A printer's id is derived from its signing key
// (register-printer.ts), so the key behind an id never changes: read once per printer by a function instance, it can
// never be stale, and a job's reports (accepted, completed) no longer cost a read of the printer each.
import type { PrinterStore } from './ports.js';

export class DeviceSigningKeys {
  private readonly known = new Map<string, string>();
  constructor(
    private readonly printers: Pick<PrinterStore, 'get'>,
    /** Beyond this many printers the oldest read is forgotten (and read again when needed). */
    private readonly maxPrinters = 10_000,
  ) {}

  /** The printer's signing key (base64url Ed25519), or undefined for a printer that does not exist. */
  async of(printerId: string): Promise<string | undefined> {
    const known = this.known.get(printerId);
    if (known) return known;
    const key = (await this.printers.get(printerId))?.deviceKeys.signingKey;
    if (key) {
      if (this.known.size >= this.maxPrinters) this.known.delete(this.known.keys().next().value!);
      this.known.set(printerId, key);
    }
    return key;
  }
}
