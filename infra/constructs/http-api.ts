// The HTTP API: every route of the description, each to its function, except response-streaming ones (see
// PlatformStreamingUrls). Routes for signed-in users carry the Cognito
// JWT authorizer; which groups may call them is checked in the handler, from the same description.
import { CfnOutput, Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionSpec } from '../platform.js';
import { cognitoIssuer } from './user-pool.js';

export class PlatformHttpApi extends Construct {
  readonly api: apigw.HttpApi;

  constructor(
    scope: Construct,
    id: string,
    props: { functions: Record<string, FunctionSpec>; handlers: Record<string, lambda.IFunction>; userPool: cognito.IUserPool; client: cognito.IUserPoolClient; region: string },
  ) {
    super(scope, id);
    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'DPM public API',
      corsPreflight: {
        allowOrigins: ['*'],
        allowMethods: [apigw.CorsHttpMethod.ANY],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        maxAge: Duration.hours(1),
      },
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.THREE_MONTHS });
    const stage = this.api.defaultStage!.node.defaultChild as apigw.CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status', latency: '$context.responseLatency', ip: '$context.identity.sourceIp', error: '$context.error.message', authorizerError: '$context.authorizer.error' }),
    };
    const authorizer = new HttpJwtAuthorizer('Cognito', cognitoIssuer(props.region, props.userPool.userPoolId), {
      jwtAudience: [props.client.userPoolClientId],
    });
    for (const [key, spec] of Object.entries(props.functions)) {
      // A response-streaming function's routes would be buffered here: they go through its function URL instead.
      if (!spec.routes.length || spec.responseStreaming) continue;
      const integration = new HttpLambdaIntegration(`${key}Integration`, props.handlers[key]!);
      for (const route of spec.routes) {
        this.api.addRoutes({
          path: route.path,
          methods: [route.method as apigw.HttpMethod],
          integration,
          authorizer: route.auth.kind === 'public' ? undefined : authorizer,
        });
      }
    }
    new CfnOutput(this, 'Url', { value: this.api.apiEndpoint });
  }
}
