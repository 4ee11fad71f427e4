// The HTTP API: its routes, integrations and invoke permissions (three resources per route) live apart from the
// functions, so neither stack nears CloudFormation's 500 resources per stack. Stateless, like the application.
import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { PlatformHttpApi } from '../constructs/http-api.js';
import type { FunctionSpec } from '../platform.js';

export class ApiStack extends Stack {
  readonly http: PlatformHttpApi;
  constructor(
    scope: Construct,
    id: string,
    props: StackProps & { functions: Record<string, FunctionSpec>; handlers: Record<string, lambda.IFunction>; userPool: cognito.IUserPool; client: cognito.IUserPoolClient },
  ) {
    super(scope, id, props);
    this.http = new PlatformHttpApi(this, 'Http', { functions: props.functions, handlers: props.handlers, userPool: props.userPool, client: props.client, region: this.region });
  }
}
