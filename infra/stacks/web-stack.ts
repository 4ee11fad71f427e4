// The web app: stateless, redeployed with every build of web/.
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PlatformWebSite, type WebSiteProps } from '../constructs/web-site.js';

export class WebStack extends Stack {
  readonly site: PlatformWebSite;
  constructor(scope: Construct, id: string, props: StackProps & WebSiteProps) {
    super(scope, id, props);
    this.site = new PlatformWebSite(this, 'Site', props);
  }
}
