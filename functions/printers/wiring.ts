// The printers handlers' dependencies, built once per cold start. PRINTER_IDENTITIES says which registry provisions
// identities: IoT Core in AWS, the embedded broker locally; only this wiring differs, never the use cases.
import { IoTClient } from '@aws-sdk/client-iot';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { z } from 'zod';
import { DynamoDbPrinterStore } from '../../shared/adapters/dynamodb-printer-store.js';
import { IotCorePrinterIdentities } from '../../shared/adapters/iot-core-printer-identities.js';
import { IotDataPrinterMessages } from '../../shared/adapters/iot-data-printer-messages.js';
import { IotDataPrinterShadows } from '../../shared/adapters/iot-data-printer-shadows.js';
import { DynamoDbPrintabilityProofs } from '../../shared/adapters/dynamodb-printability-proofs.js';
import { LocalBrokerPrinterIdentities } from '../../shared/adapters/local-broker-printer-identities.js';
import { dynamoDbClient, sdkConfig } from '../lib/clients.js';
import { awsClientConfig, readConfig } from '../lib/config.js';

const aws = readConfig(awsClientConfig);

export const printerStore = () => new DynamoDbPrinterStore(dynamoDbClient(aws), readConfig(z.object({ TABLE_MAIN: z.string().min(1) })).TABLE_MAIN);

export const printerShadows = () => new IotDataPrinterShadows(new IoTDataPlaneClient(sdkConfig(aws)));

export const printerMessages = () => new IotDataPrinterMessages(new IoTDataPlaneClient(sdkConfig(aws)));

export const printabilityProofs = () => new DynamoDbPrintabilityProofs(dynamoDbClient(aws), readConfig(z.object({ TABLE_MAIN: z.string().min(1) })).TABLE_MAIN);

const IdentitiesConfig = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('iot-core'), thingTypeName: z.string().min(1), policyName: z.string().min(1) }),
  z.object({ kind: z.literal('local-broker'), adminUrl: z.url(), token: z.string().min(16) }),
]);

export const printerIdentities = () => {
  const { PRINTER_IDENTITIES: c } = readConfig(z.object({ PRINTER_IDENTITIES: z.string().transform((t) => IdentitiesConfig.parse(JSON.parse(t))) }));
  return c.kind === 'iot-core' ? new IotCorePrinterIdentities(new IoTClient(sdkConfig(aws)), c) : new LocalBrokerPrinterIdentities(c);
};

export const clock = { now: () => new Date() };
