// Standard state machines from the ASL files of the description, the same files the local runtime runs. Each
// `${fn:<functionKey>}` placeholder becomes that function's ARN through DefinitionSubstitutions.
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FunctionSpec, WorkflowSpec } from '../platform.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');

export class PlatformWorkflows extends Construct {
  readonly stateMachines: Record<string, sfn.StateMachine> = {};
  /**
   * Each state machine's ARN built from its fixed name rather than referenced: a task function that also answers
   * callbacks (SendTaskSuccess) would otherwise form a cycle, state machine -> function -> its policy -> state machine.
   */
  readonly arns: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: { workflows: Record<string, WorkflowSpec>; functions: Record<string, FunctionSpec>; handlers: Record<string, lambda.IFunction> }) {
    super(scope, id);
    for (const [key, wf] of Object.entries(props.workflows)) {
      const tasks = Object.entries(props.functions).filter(([, f]) => f.triggers.some((t) => t.kind === 'workflowTask' && t.workflow === key));
      const logGroup = new logs.LogGroup(this, `${key}Logs`, { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
      const stateMachineName = `${Stack.of(this).stackName}-${key}`;
      this.arns[key] = Stack.of(this).formatArn({ service: 'states', resource: 'stateMachine', resourceName: stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
      const sm = new sfn.StateMachine(this, key, {
        stateMachineName,
        stateMachineType: sfn.StateMachineType.STANDARD,
        comment: wf.description,
        // Inlined rather than uploaded as an asset, so the template itself shows the exact ASL the local engine runs.
        definitionBody: sfn.DefinitionBody.fromString(readFileSync(join(repoRoot, wf.definition), 'utf8')),
        definitionSubstitutions: Object.fromEntries(tasks.map(([fnKey]) => [`fn:${fnKey}`, props.handlers[fnKey]!.functionArn])),
        logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
        tracingEnabled: true,
      });
      for (const [fnKey] of tasks) props.handlers[fnKey]!.grantInvoke(sm);
      this.stateMachines[key] = sm;
    }
  }
}
