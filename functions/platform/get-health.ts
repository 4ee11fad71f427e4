// GET /health: each component's answer; 503 when any is down so load balancers and scripts can tell.
import { z } from 'zod';
import { dynamoDbTableProbe, ledgerProbe, s3BucketProbe } from '../../shared/adapters/aws-probes.js';
import { checkHealth, type CheckHealthDeps } from '../../shared/platform/check-health.js';
import { dynamoDbClient, s3Client } from '../lib/clients.js';
import { awsClientConfig, readConfig } from '../lib/config.js';
import { httpRoute } from '../lib/http.js';
import { ledgerConfig } from '../lib/ledger-config.js';

const config = readConfig(
  awsClientConfig.extend(ledgerConfig.shape).extend({ TABLE_MAIN: z.string().min(1), BUCKET_DESIGNS: z.string().min(1) }),
);

const deps: CheckHealthDeps = {
  probes: {
    table: dynamoDbTableProbe(dynamoDbClient(config), config.TABLE_MAIN),
    bucket: s3BucketProbe(s3Client(config), config.BUCKET_DESIGNS),
    ledger: ledgerProbe(config.LEDGER_URL, config.LEDGER_HEADERS),
  },
  now: () => Date.now(),
  timeoutMs: 2000,
};

export const handler = httpRoute({
  run: async () => {
    const report = await checkHealth(deps);
    return { status: report.status === 'ok' ? 200 : 503, body: report };
  },
});
