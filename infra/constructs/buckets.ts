// Buckets from the description, encrypted with their KMS key, private, TLS-only and versioned; access is logged to
// a separate bucket. Quarantined uploads expire after a day if nobody ingests them.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { BucketSpec } from '../platform.js';

export class PlatformBuckets extends Construct {
  readonly buckets: Record<string, s3.Bucket> = {};
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: { buckets: Record<string, BucketSpec>; keys: Record<string, kms.IKey> }) {
    super(scope, id);
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const [name, spec] of Object.entries(props.buckets)) {
      this.buckets[name] = new s3.Bucket(this, name, {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: props.keys[spec.key],
        bucketKeyEnabled: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        versioned: true,
        serverAccessLogsBucket: this.accessLogs,
        serverAccessLogsPrefix: `${name}/`,
        cors: spec.browserUploads
          ? [{ allowedMethods: [s3.HttpMethods.PUT], allowedOrigins: ['*'], allowedHeaders: ['*'], exposedHeaders: ['ETag'], maxAge: 3000 }]
          : undefined,
        lifecycleRules: [
          ...(spec.quarantinePrefix ? [{ id: 'ExpireQuarantine', prefix: spec.quarantinePrefix, expiration: Duration.days(1), noncurrentVersionExpiration: Duration.days(1) }] : []),
          { id: 'ExpireOldVersions', noncurrentVersionExpiration: Duration.days(90) },
        ],
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
  }
}
