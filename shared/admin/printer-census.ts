// PrinterFleet from the printers' records and device shadows: "online" exactly as the public printer list says it.
import { listPrinters } from '../printers/manage-printer.js';
import type { PrinterShadows, PrinterStore } from '../printers/ports.js';
import type { PrinterFleet } from './operations.js';

export function printerCensus(deps: { printers: PrinterStore; shadows: PrinterShadows }): PrinterFleet {
  return {
    async census() {
      const all = await listPrinters(deps);
      return { registered: all.length, online: all.filter((p) => p.online).length };
    },
  };
}
