// What a match reads (placing an order, quoting it, dispatching each offer): the fleet's list and the printers'
// ratings, kept per instance for `referenceTtlMs` (see ../lib/recent.ts). A printer the customer chose is read exactly,
// and so is the fleet when the kept list has no printer for the order.
import { recentBy, withRecent } from '../lib/recent.js';
import { printerStore } from '../printers/wiring.js';
import { ratingStore, referenceTtlMs } from './wiring.js';

export const matchReads = () => {
  const ratings = ratingStore();
  const printers = printerStore();
  const printerRatings = recentBy(referenceTtlMs, (ids: string) => ratings.printerRatings(ids.split('\n')));
  return {
    printers: withRecent(printers, referenceTtlMs, { list: true }),
    freshPrinters: printers,
    ratings: { printerRatings: (ids: readonly string[]) => printerRatings(ids.join('\n')) },
  };
};
