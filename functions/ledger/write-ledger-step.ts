// The ledger FIFO queue → BigchainDB: each message is one step, written exactly once by the use case.
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { parseLedgerEvent } from '../../events/ledger-events.js';
import { BigchainDbHttpLedger } from '../../shared/adapters/bigchaindb-http-ledger.js';
import { DynamoDbCustodialKeys } from '../../shared/adapters/dynamodb-custodial-keys.js';
import { DynamoDbLedgerBook } from '../../shared/adapters/dynamodb-ledger-book.js';
import { DynamoDbOperationsTally } from '../../shared/adapters/dynamodb-operations-tally.js';
import type { OperationsTally, TallyName } from '../../shared/admin/operations.js';
import { KmsDataKeys } from '../../shared/adapters/kms-data-keys.js';
import { KmsPlatformSigner } from '../../shared/adapters/kms-platform-signer.js';
import { writeLedgerStep, type LedgerWriterDeps } from '../../shared/ledger/write-ledger-step.js';
import { dynamoDbClient, sdkConfig, secretHeaders } from '../lib/clients.js';
import { awsClientConfig, readConfig } from '../lib/config.js';
import { ledgerConfig, ledgerHeaders } from '../lib/ledger-config.js';
import { logger, metrics } from '../lib/observability.js';
import { processBatch } from '../lib/sqs.js';

const config = readConfig(
  awsClientConfig.extend(ledgerConfig.shape).extend({
    TABLE_MAIN: z.string().min(1),
    TABLE_IDEMPOTENCY: z.string().min(1),
    KEY_LEDGER_SIGNING: z.string().min(1),
    KEY_DATA: z.string().min(1),
  }),
);
const kms = new KMSClient(sdkConfig(config));
const dynamo = dynamoDbClient(config);
const sqs = new SQSClient(sdkConfig(config));
const deps = {
  platform: new KmsPlatformSigner(kms, config.KEY_LEDGER_SIGNING),
  custody: new DynamoDbCustodialKeys(dynamo, config.TABLE_MAIN, new KmsDataKeys(kms, config.KEY_DATA)),
  network: new BigchainDbHttpLedger(config.LEDGER_URL, await ledgerHeaders(config, secretHeaders(config))),
  book: new DynamoDbLedgerBook(dynamo, config.TABLE_MAIN, config.TABLE_IDEMPOTENCY),
};

// The admin dashboard's own tally of the same measurements (see shared/admin/operations.ts). The commit latencies are
// added up in this function instance and written every `tallyWindowMs` at most (one UpdateItem with their count and
// sum, at the end of the batch that finds the window over): one UpdateItem per step was, on the embedded platform, as
// many writes as the ledger's own commits. A failure is written with its batch. Losing a tally is better than failing
// steps that were written, so one that cannot be saved is only logged; latencies still held when an instance stops are
// lost (they are also in CloudWatch, one metric per step).
const tally = new DynamoDbOperationsTally(dynamo, config.TABLE_MAIN);

export const handler = ledgerStepHandler({ writer: deps, tally, sqs });

/** The handler over its dependencies (built above; a test passes fakes). */
export function ledgerStepHandler(d: { writer: LedgerWriterDeps; tally: Pick<OperationsTally, 'record'>; sqs: SQSClient; now?: () => Date; tallyWindowMs?: number }) {
  const now = d.now ?? (() => new Date());
  const windowMs = d.tallyWindowMs ?? 10_000;
  const add = async (name: TallyName, count: number, sum: number) => {
    if (!count) return;
    await d.tally.record(name, sum, now(), count).catch((err: unknown) => logger.warn('Could not tally ledger measurements', { name, count, error: err as Error }));
  };
  const held = { commits: 0, latencySum: 0, since: 0 };
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Takes what is held before writing it, so a batch's end and the window's timer never write the same latencies.
  const writeHeld = () => {
    clearTimeout(timer);
    timer = undefined;
    const { commits, latencySum } = held;
    Object.assign(held, { commits: 0, latencySum: 0 });
    return add('LedgerCommitLatency', commits, latencySum);
  };
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    let failures = 0;
    const response = await processBatch(event.Records, d.sqs, async (record) => {
      const step = parseLedgerEvent(JSON.parse(record.body));
      const t0 = performance.now();
      const result = await writeLedgerStep(step, d.writer).catch((err: unknown) => {
        failures++;
        throw err;
      });
      const latency = performance.now() - t0;
      metrics.addMetric('LedgerCommitLatency', MetricUnit.Milliseconds, latency);
      if (!held.commits) {
        held.since = now().getTime();
        // Written when the window is over even if no batch follows (in Lambda: when the instance next runs).
        timer = setTimeout(() => void writeHeld(), windowMs);
        timer.unref?.();
      }
      held.commits++;
      held.latencySum += latency;
      logger.info('Ledger step written', { eventId: step.eventId, type: step.type, txId: result.txId, outcome: result.outcome });
    });
    metrics.publishStoredMetrics();
    const windowOver = held.commits > 0 && now().getTime() - held.since >= windowMs;
    await Promise.all([failures > 0 || windowOver ? writeHeld() : undefined, add('LedgerWriteFailures', failures, failures)]);
    return response;
  };
}
