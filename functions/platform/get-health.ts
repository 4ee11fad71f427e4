// GET /health: each component's answer; 503 when any is down so load balancers and scripts can tell.
import { z } from 'zod';
import { dynamoDbTableProbe, ledgerProbe, s3BucketProbe } from '../../shared/adapters/aws-probes.js';
import { cachedHealthCheck } from '../../shared/platform/check-health.js';
import { dynamoDbClient, s3Client, secretHeaders } from '../lib/clients.js';
import { awsClientConfig, readConfig } from '../lib/config.js';
import { httpRoute } from '../lib/http.js';
import { ledgerConfig, ledgerHeaders } from '../lib/ledger-config.js';

const config = readConfig(
  awsClientConfig.extend(ledgerConfig.shape).extend({ TABLE_MAIN: z.string().min(1), BUCKET_DESIGNS: z.string().min(1) }),
);

// Answers are reused for a second: monitors may poll often, the stores should not feel it.
const health = cachedHealthCheck({
  probes: {
    table: dynamoDbTableProbe(dynamoDbClient(config), config.TABLE_MAIN),
    bucket: s3BucketProbe(s3Client(config), config.BUCKET_DESIGNS),
    ledger: ledgerProbe(config.LEDGER_URL, await ledgerHeaders(config, secretHeaders(config))),
  },
  now: () => Date.now(),
  timeoutMs: 2000,
  maxAgeMs: 1000,
});

export const handler = httpRoute({
  run: async () => {
    const report = await health();
    return { status: report.status === 'ok' ? 200 : 503, body: report };
  },
});
