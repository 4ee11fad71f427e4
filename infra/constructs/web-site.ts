// The web app on S3 behind CloudFront, laid out as the local gateway serves it (local/web-site.ts): the built files,
// `/config.json` written at deploy time from the user pool and region, index.html for every page path, and `/api/*`
// passed to the HTTP API with the prefix removed, so the app calls its API on its own origin (no CORS, one host for
// the QR codes' Digital Links). A response-streaming route has its own behaviour, before `/api/*`, to its function's
// URL: HTTP APIs buffer responses.
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { viewerAuthorizationHeader } from '../platform.js';
import type { StreamingRoute } from './streaming-urls.js';

export interface WebSiteProps {
  /** The Vite build output (web/dist). */
  assetsDir: string;
  api: apigw.IHttpApi;
  userPoolId: string;
  userPoolClientId: string;
  accessLogs?: s3.IBucket;
  /** Routes served by response-streaming function URLs, each reached by its own path pattern under `/api`. */
  streamingRoutes?: readonly Pick<StreamingRoute, 'pathPattern' | 'url'>[];
}

// CloudFront Functions (cloudfront-js-2.0). Page paths have no file extension; built files always have one.
const spaRewrite = `function handler(event) {
  var r = event.request;
  if (r.uri.indexOf('.', r.uri.lastIndexOf('/')) < 0) r.uri = '/index.html';
  return r;
}`;
const stripApiPrefix = `function handler(event) {
  var r = event.request;
  r.uri = r.uri.substring(4) || '/';
  return r;
}`;
// The same strip, and the viewer's bearer token moved aside: origin access control signs the request to the function
// URL with SigV4, which takes the Authorization header. A viewer's own copy of the header is dropped, not trusted.
const streamingRequest = `function handler(event) {
  var r = event.request;
  r.uri = r.uri.substring(4) || '/';
  delete r.headers['${viewerAuthorizationHeader}'];
  if (r.headers.authorization) r.headers['${viewerAuthorizationHeader}'] = { value: r.headers.authorization.value };
  return r;
}`;

export class PlatformWebSite extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: WebSiteProps) {
    super(scope, id);
    if (!existsSync(join(props.assetsDir, 'index.html'))) {
      throw new Error(`The web app is not built (${props.assetsDir}/index.html is missing): run \`npm run build:web\` before synthesizing`);
    }
    const logs =
      props.accessLogs ??
      new s3.Bucket(this, 'AccessLogs', {
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        // CloudFront writes its standard logs with ACLs.
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
        lifecycleRules: [{ expiration: Duration.days(90) }],
        removalPolicy: RemovalPolicy.RETAIN,
      });
    // Only built files live here, nothing personal: S3-managed encryption, rebuilt from the repository on every deploy.
    this.bucket = new s3.Bucket(this, 'Assets', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'web-assets/',
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    const region = Stack.of(this).region;
    const apiOrigin = new origins.HttpOrigin(`${props.api.apiId}.execute-api.${region}.amazonaws.com`, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY });
    const fn = (name: string, code: string) =>
      new cloudfront.Function(this, name, { code: cloudfront.FunctionCode.fromInline(code), runtime: cloudfront.FunctionRuntime.JS_2_0 });
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      securityHeadersBehavior: {
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'DPM web app and API',
      defaultRootObject: 'index.html',
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        compress: true,
        responseHeadersPolicy: headers,
        functionAssociations: [{ eventType: cloudfront.FunctionEventType.VIEWER_REQUEST, function: fn('SpaRewrite', spaRewrite) }],
      },
      // CloudFront takes the first behaviour whose pattern matches, in this order: the streaming routes before `/api/*`.
      additionalBehaviors: {
        ...this.streamingBehaviours(props.streamingRoutes ?? [], headers, fn),
        '/api/*': {
          origin: apiOrigin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
          functionAssociations: [{ eventType: cloudfront.FunctionEventType.VIEWER_REQUEST, function: fn('StripApiPrefix', stripApiPrefix) }],
        },
      },
    });
    new s3deploy.BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      sources: [
        s3deploy.Source.asset(props.assetsDir, { exclude: ['.built'] }),
        s3deploy.Source.jsonData('config.json', {
          apiBase: '/api',
          region,
          userPoolId: props.userPoolId,
          userPoolClientId: props.userPoolClientId,
          cognitoEndpoint: `https://cognito-idp.${region}.amazonaws.com`,
        }),
      ],
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json'],
      memoryLimit: 256,
    });
    new CfnOutput(this, 'Url', { value: `https://${this.distribution.distributionDomainName}` });
  }

  /**
   * One behaviour per streaming route to its function URL, signed by one origin access control: nothing cached, every
   * viewer header but Host passed on, no compression (it would hold events back to fill its blocks).
   */
  private streamingBehaviours(
    routes: readonly Pick<StreamingRoute, 'pathPattern' | 'url'>[],
    headers: cloudfront.IResponseHeadersPolicy,
    fn: (name: string, code: string) => cloudfront.Function,
  ): Record<string, cloudfront.BehaviorOptions> {
    if (!routes.length) return {};
    const oac = new cloudfront.FunctionUrlOriginAccessControl(this, 'StreamingAccess', { signing: cloudfront.Signing.SIGV4_ALWAYS });
    const request = fn('StreamingRequest', streamingRequest);
    const byUrl = new Map<lambda.IFunctionUrl, cloudfront.IOrigin>();
    const behaviours: Record<string, cloudfront.BehaviorOptions> = {};
    for (const r of routes) {
      if (!byUrl.has(r.url)) byUrl.set(r.url, origins.FunctionUrlOrigin.withOriginAccessControl(r.url, { originAccessControl: oac }));
      behaviours[r.pathPattern] = {
        origin: byUrl.get(r.url)!,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: headers,
        compress: false,
        functionAssociations: [{ eventType: cloudfront.FunctionEventType.VIEWER_REQUEST, function: request }],
      };
    }
    return behaviours;
  }
}
