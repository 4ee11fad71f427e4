// KMS keys from the description: the data key wraps per-object data keys; the Ed25519 key is the platform's ledger
// identity and signs through kms:Sign, so its private half never exists outside KMS.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { KeySpec } from '../platform.js';

export class PlatformKeys extends Construct {
  readonly keys: Record<string, kms.Key> = {};

  constructor(scope: Construct, id: string, props: { keys: Record<string, KeySpec> }) {
    super(scope, id);
    for (const [name, spec] of Object.entries(props.keys)) {
      const signing = spec.usage === 'SIGN_VERIFY';
      this.keys[name] = new kms.Key(this, name, {
        description: spec.description,
        keySpec: signing ? kms.KeySpec.ECC_NIST_EDWARDS25519 : kms.KeySpec.SYMMETRIC_DEFAULT,
        keyUsage: signing ? kms.KeyUsage.SIGN_VERIFY : kms.KeyUsage.ENCRYPT_DECRYPT,
        // Automatic rotation exists only for symmetric keys; a rotated signing key would change the ledger identity.
        enableKeyRotation: !signing,
        pendingWindow: Duration.days(30),
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
  }
}
