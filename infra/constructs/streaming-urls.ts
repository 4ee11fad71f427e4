// The function URLs of response-streaming functions: HTTP APIs buffer responses, so a streaming route is served by its
// function's URL (InvokeMode RESPONSE_STREAM) behind a CloudFront behaviour of its own (see PlatformWebSite). IAM auth:
// only CloudFront, signing with origin access control, may call it; the function checks the viewer's token itself.
import type { CfnResource } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { FunctionSpec } from '../platform.js';

/** A described route served through a function URL, and the CloudFront path pattern that reaches it. */
export interface StreamingRoute {
  routeKey: string;
  pathPattern: string;
  url: lambda.IFunctionUrl;
}

/** The web app calls its API under `/api`; each `{param}` (or greedy `{param+}`) segment becomes `*`. */
export const streamingPathPattern = (routePath: string) => `/api${routePath.replace(/\{\w+\+?\}/g, '*')}`;

export class PlatformStreamingUrls extends Construct {
  readonly routes: StreamingRoute[] = [];

  constructor(scope: Construct, id: string, props: { functions: Record<string, FunctionSpec>; handlers: Record<string, lambda.IFunction> }) {
    super(scope, id);
    for (const [key, spec] of Object.entries(props.functions)) {
      if (!spec.responseStreaming) continue;
      const url = new lambda.FunctionUrl(this, key, { function: props.handlers[key]!, authType: lambda.FunctionUrlAuthType.AWS_IAM, invokeMode: lambda.InvokeMode.RESPONSE_STREAM });
      const routeKeys = spec.routes.map((r) => `${r.method} ${r.path}`);
      // The template's own record of which routes the URL serves, for `templateRoutesAndTriggers`.
      (url.node.defaultChild as CfnResource).addMetadata('dpm:routes', routeKeys.join(','));
      for (const r of spec.routes) this.routes.push({ routeKey: `${r.method} ${r.path}`, pathPattern: streamingPathPattern(r.path), url });
    }
  }
}
