// From printers' `status` and `progress` topics (an IoT rule in AWS, a broker subscription locally): signed answers to
// job offers, progress and results, passed to the waiting order step. A report that fails its checks is logged and
// dropped: retrying would not make it valid.
import { recordJobReport, type JobReport } from '../../shared/orders/order-steps.js';
import { DomainError } from '../../shared/errors.js';
import { DeviceSigningKeys } from '../../shared/printers/device-signing-keys.js';
import type { SignedReport } from '../../shared/printing/device-keys.js';
import { logger } from '../lib/observability.js';
import { printerStore } from '../printers/wiring.js';
import { clock, orderStore, taskCallbacks } from './wiring.js';

const deps = { orders: orderStore(), signingKeys: new DeviceSigningKeys(printerStore()), callbacks: taskCallbacks(), ...clock };

export const handler = async (event: { topic?: string; report?: unknown; signature?: unknown }): Promise<void> => {
  const thing = /^dpm\/printers\/([^/]+)\/(status|progress)$/.exec(event.topic ?? '')?.[1];
  if (!thing || typeof event.signature !== 'string' || !event.report || typeof event.report !== 'object') {
    logger.warn('Job report without its topic, report or signature', { topic: event.topic });
    return;
  }
  try {
    await recordJobReport({ thing, signed: { report: event.report as JobReport, signature: event.signature } as SignedReport<JobReport> }, deps);
  } catch (err) {
    if (!(err instanceof DomainError) || err.code === 'DependencyUnavailable') throw err;
    logger.warn('Job report refused', { thing, reason: err.message });
  }
};
