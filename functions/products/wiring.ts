// The product export handlers' dependencies, built once per cold start: orders (for the tag identity) and the ledger.
import { z } from 'zod';
import { BigchainDbHttpLedger } from '../../shared/adapters/bigchaindb-http-ledger.js';
import { DynamoDbOrderStore } from '../../shared/adapters/dynamodb-order-store.js';
import { VerificationMemo } from '../../shared/tags/verification-memo.js';
import { productMemory } from '../../shared/tags/verify-product.js';
import { dynamoDbClient, secretHeaders } from '../lib/clients.js';
import { awsClientConfig, readConfig } from '../lib/config.js';
import { ledgerConfig, ledgerHeaders } from '../lib/ledger-config.js';

const config = readConfig(awsClientConfig.extend(ledgerConfig.shape).extend({ TABLE_MAIN: z.string().min(1) }));
const orders = new DynamoDbOrderStore(dynamoDbClient(config), config.TABLE_MAIN);
const ledger = new BigchainDbHttpLedger(config.LEDGER_URL, await ledgerHeaders(config, secretHeaders(config)));
const memo = new VerificationMemo();
export const exportDeps = {
  identity: async (productId: string) => {
    const order = /^prd_[0-9a-f]{24}$/.test(productId) ? await orders.get(`ord_${productId.slice(4)}`) : undefined;
    return order?.tag ? { productId, gtin: order.tag.gtin, serial: order.tag.serial } : undefined;
  },
  memory: (productId: string) => productMemory(productId, ledger, memo),
  now: () => new Date(),
};

