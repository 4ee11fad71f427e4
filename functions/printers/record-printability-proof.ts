// From printers' `printability` topic (an IoT rule in AWS, a broker subscription locally): keep answers whose
// device signature checks out. A bad answer is logged and dropped: retrying it would not make it valid.
import { recordPrintabilityProof } from '../../shared/printers/printability-proof.js';
import { DomainError } from '../../shared/errors.js';
import { logger } from '../lib/observability.js';
import { printabilityProofs, printerStore } from './wiring.js';

const deps = { printers: printerStore(), proofs: printabilityProofs() };

export const handler = async (event: { topic?: string; report?: unknown; signature?: unknown }): Promise<void> => {
  const thing = /^dpm\/printers\/([^/]+)\/printability$/.exec(event.topic ?? '')?.[1];
  if (!thing) {
    logger.warn('Printability answer without its topic', { topic: event.topic });
    return;
  }
  try {
    await recordPrintabilityProof({ thing, signed: { report: event.report, signature: event.signature } }, deps);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    logger.warn('Printability answer refused', { thing, reason: err.message });
  }
};
