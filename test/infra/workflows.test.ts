// The workflow construct on a fixture ASL (the description has no workflow yet; the order workflow comes with the
// orders issue): the same file the local engine runs becomes a Standard state machine whose `${fn:<key>}`
// placeholders are the functions' ARNs, with logging, tracing and invoke rights for exactly those functions.
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { PlatformWorkflows } from '../../infra/constructs/workflows.js';
import { platform, type FunctionSpec } from '../../infra/platform.js';
import { cdkOutdir } from '../support/cdk-outdir.js';

const outdir = cdkOutdir();

describe('PlatformWorkflows', () => {
  it('deploys the ASL file with function ARNs substituted and invoke rights granted', () => {
    const stack = new Stack(new App({ outdir }), 'Test', { env: { region: 'eu-west-1', account: '123456789012' } });
    const fn = (id: string) => new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>({})') });
    const spec = (workflow: string): FunctionSpec => ({ entry: 'x.ts', description: 'x', routes: [], triggers: [{ kind: 'workflowTask', workflow: workflow as never }], uses: {}, timeoutSeconds: 10, memoryMb: 128 });
    const wf = new PlatformWorkflows(stack, 'Workflows', {
      workflows: { chain: { description: 'a fixture', definition: 'test/fixtures/workflows/chain.asl.json' } } as never,
      functions: { reserve: spec('chain'), unrelated: spec('other') },
      handlers: { reserve: fn('Reserve'), unrelated: fn('Unrelated') },
    });
    expect(Object.keys(wf.stateMachines)).toEqual(['chain']);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      DefinitionSubstitutions: { 'fn:reserve': { 'Fn::GetAtt': [Match.stringLikeRegexp('^Reserve'), 'Arn'] } },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
      TracingConfiguration: { Enabled: true },
    });
    const definition = JSON.stringify(t.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toContain('${fn:reserve}');
    const policies = JSON.stringify(t.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('lambda:InvokeFunction');
    expect(policies).not.toMatch(/Unrelated[0-9A-F]{8}", "Arn"/);
  });
});

describe('ledger credentials', () => {
  it('point the ledger functions at a header secret they alone may read, when one is configured', async () => {
    const { buildApp } = await import('../../infra/synth.js');
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:dpm/ledger-abc';
    const { stacks } = buildApp({ outdir, context: { ledgerHeadersSecretArn: arn } });
    const t = Template.fromStack(stacks.application);
    const fns = Object.values(t.findResources('AWS::Lambda::Function')) as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }[];
    const withSecret = fns.filter((f) => f.Properties.Environment?.Variables?.LEDGER_HEADERS_SECRET_ARN === arn);
    const ledgerFunctions = Object.values(platform.functions).filter((f) => (f.uses as { ledger?: boolean }).ledger).length;
    expect(ledgerFunctions).toBeGreaterThanOrEqual(3);
    expect(withSecret.length).toBe(ledgerFunctions);
    const readers = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p).includes('secretsmanager:GetSecretValue'));
    expect(readers).toHaveLength(ledgerFunctions);
    for (const r of readers) expect(JSON.stringify(r)).toContain(arn);
  }, 120_000);
});
