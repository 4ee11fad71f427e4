// The platform's tables, from the description. Retained on stack deletion: they hold designs, orders and money.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { TableSpec } from '../platform.js';

export class PlatformTables extends Construct {
  readonly tables: Record<string, dynamodb.TableV2> = {};

  constructor(scope: Construct, id: string, props: { tables: Record<string, TableSpec>; key: kms.IKey }) {
    super(scope, id);
    for (const [name, spec] of Object.entries(props.tables)) {
      this.tables[name] = new dynamodb.TableV2(this, name, {
        partitionKey: { name: spec.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: spec.sortKey ? { name: spec.sortKey, type: dynamodb.AttributeType.STRING } : undefined,
        globalSecondaryIndexes: spec.indexes.map((ix) => ({
          indexName: ix.name,
          partitionKey: { name: ix.partitionKey, type: dynamodb.AttributeType.STRING },
          sortKey: ix.sortKey ? { name: ix.sortKey, type: dynamodb.AttributeType.STRING } : undefined,
        })),
        timeToLiveAttribute: spec.ttlAttribute,
        billing: dynamodb.Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: dynamodb.TableEncryptionV2.customerManagedKey(props.key),
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
  }
}
