// GET /01/{gtin}/21/{serial}: the GS1 Digital Link on every product's tag. Public: anyone who scans the tag gets the
// authenticity verdict and the product's memory, with a link to each ledger transaction to check for themselves.
// Signing in is optional: a customer's signed-in tap on their own delivered product confirms the delivery.
import { KMSClient } from '@aws-sdk/client-kms';
import { SFNClient } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { BigchainDbHttpLedger } from '../../shared/adapters/bigchaindb-http-ledger.js';
import { CognitoSignIns } from '../../shared/adapters/cognito-sign-ins.js';
import { DynamoDbOrderStore } from '../../shared/adapters/dynamodb-order-store.js';
import { KmsDataKeys } from '../../shared/adapters/kms-data-keys.js';
import { KmsPlatformSigner } from '../../shared/adapters/kms-platform-signer.js';
import { DynamoDbTagStore } from '../../shared/adapters/dynamodb-tag-store.js';
import { SfnTaskCallbacks } from '../../shared/adapters/sfn-order-workflow.js';
import { InvalidInput } from '../../shared/errors.js';
import { VerificationMemo } from '../../shared/tags/verification-memo.js';
import { verifyProduct } from '../../shared/tags/verify-product.js';
import { dynamoDbClient, sdkConfig, secretHeaders } from '../lib/clients.js';
import { awsClientConfig, readConfig } from '../lib/config.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute } from '../lib/http.js';
import { ledgerConfig, ledgerHeaders } from '../lib/ledger-config.js';

const config = readConfig(
  awsClientConfig.extend(ledgerConfig.shape).extend({
    TABLE_MAIN: z.string().min(1),
    KEY_TAG_SIGNING: z.string().min(1),
    KEY_DATA: z.string().min(1),
    USER_POOL_ISSUER: z.url(),
    USER_POOL_CLIENT_ID: z.string().min(1),
  }),
);
const kms = new KMSClient(sdkConfig(config));
const dynamoDb = dynamoDbClient(config);
const deps = {
  tags: new DynamoDbTagStore(dynamoDb, config.TABLE_MAIN),
  signer: new KmsPlatformSigner(kms, config.KEY_TAG_SIGNING),
  dataKeys: new KmsDataKeys(kms, config.KEY_DATA),
  ledger: new BigchainDbHttpLedger(config.LEDGER_URL, await ledgerHeaders(config, secretHeaders(config))),
  memo: new VerificationMemo(),
  orders: new DynamoDbOrderStore(dynamoDb, config.TABLE_MAIN),
  callbacks: new SfnTaskCallbacks(new SFNClient(sdkConfig(config))),
};
const signIns = new CognitoSignIns({ issuer: config.USER_POOL_ISSUER, audience: [config.USER_POOL_CLIENT_ID] });

export const handler = httpRoute({
  query: routeSchemas['GET /01/{gtin}/21/{serial}'].query,
  optionalSignIn: signIns,
  run: async ({ caller, path, query, headers }) => {
    if (!/^\d{14}$/.test(path.gtin ?? '')) throw new InvalidInput('The GTIN is 14 digits');
    const serial = decodeURIComponent(path.serial ?? '');
    if (!/^[A-Za-z0-9._:-]{1,128}$/.test(serial)) throw new InvalidInput('The serial is 1-128 letters, digits and . _ : -');
    const signIn = caller.kind === 'user' ? { userId: caller.userId } : caller.rejectedToken ? ('rejected' as const) : undefined;
    // A tap (NFC parameters) moves the tag's counter and must reach us every time, and so must a signed-in scan; a
    // printed-code check may be served by a CDN for a short while, which is how the public endpoint carries scan
    // bursts in AWS.
    const personal = 'uid' in query || 'ctr' in query || 'cmac' in query || headers.authorization !== undefined;
    return { body: await verifyProduct({ gtin: path.gtin!, serial, query, signIn }, deps), headers: { 'cache-control': personal ? 'no-store' : 'public, max-age=30' } };
  },
});
