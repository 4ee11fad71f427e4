// Everything that holds data: tables, keys, buckets, the bus, queues and the user pool. Deployed rarely; every
// resource is retained on deletion, and their logical IDs are pinned by a test.
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PlatformBuckets } from '../constructs/buckets.js';
import { PlatformTables } from '../constructs/data-stores.js';
import type { StatefulResources } from '../constructs/functions.js';
import { PlatformKeys } from '../constructs/keys.js';
import { PlatformMessaging } from '../constructs/messaging.js';
import { PlatformUserPool } from '../constructs/user-pool.js';
import type { Platform } from '../platform.js';

export class StatefulStack extends Stack {
  readonly resources: StatefulResources;
  readonly users: PlatformUserPool;
  readonly messaging: PlatformMessaging;

  constructor(scope: Construct, id: string, props: StackProps & { platform: Platform }) {
    super(scope, id, props);
    const p = props.platform;
    const keys = new PlatformKeys(this, 'Keys', { keys: p.keys });
    const tables = new PlatformTables(this, 'Tables', { tables: p.tables, key: keys.keys.data! });
    const buckets = new PlatformBuckets(this, 'Buckets', { buckets: p.buckets, keys: keys.keys });
    this.messaging = new PlatformMessaging(this, 'Messaging', { busName: p.eventBusName, queues: p.queues });
    this.users = new PlatformUserPool(this, 'Users', { groups: p.userGroups });
    this.resources = {
      tables: tables.tables,
      buckets: buckets.buckets,
      keys: keys.keys,
      queues: this.messaging.queues,
      deadLetterQueues: this.messaging.deadLetterQueues,
      bus: this.messaging.bus,
      userPool: this.users.pool,
      userPoolClient: this.users.client,
    };
  }
}
