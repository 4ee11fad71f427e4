// SfnWorkflowRuns against a mocked SFNClient, for what the local server cannot show: ListExecutions paging stops once a
// page reaches back past the look-back, and a finished execution is described once for the life of the process.
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { SfnWorkflowRuns } from '../../../shared/adapters/sfn-workflow-runs.js';

const sfn = mockClient(SFNClient);
const arn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:dpm-order';
const exec = (name: string, status: string, start: string, stop?: string) => ({
  executionArn: `${arn.replace('stateMachine', 'execution')}:${name}`,
  stateMachineArn: arn,
  name,
  status: status as 'RUNNING',
  startDate: new Date(start),
  stopDate: stop ? new Date(stop) : undefined,
});

describe('SfnWorkflowRuns', () => {
  beforeEach(() => sfn.reset());

  it('pages back only as far as needed and describes each finished execution once', async () => {
    sfn.on(ListExecutionsCommand, { nextToken: undefined }).resolves({
      executions: [exec('new', 'RUNNING', '2026-01-01T10:14:00Z'), exec('refunded', 'SUCCEEDED', '2026-01-01T10:05:00Z', '2026-01-01T10:06:00Z')],
      nextToken: 'p2',
    });
    sfn.on(ListExecutionsCommand, { nextToken: 'p2' }).resolves({
      executions: [exec('delivered', 'SUCCEEDED', '2026-01-01T09:00:00Z', '2026-01-01T10:10:00Z'), exec('ancient', 'SUCCEEDED', '2025-12-30T09:00:00Z', '2025-12-30T09:10:00Z')],
      nextToken: 'p3',
    });
    sfn.on(DescribeExecutionCommand, { executionArn: exec('refunded', '', '2026-01-01T00:00:00Z').executionArn }).resolves({ output: JSON.stringify({ orderId: 'refunded', failure: { Error: 'PaymentDeclined' } }) });
    sfn.on(DescribeExecutionCommand, { executionArn: exec('delivered', '', '2026-01-01T00:00:00Z').executionArn }).resolves({ output: JSON.stringify({ orderId: 'delivered', delivery: {} }) });

    const runs = new SfnWorkflowRuns(new SFNClient({}), arn);
    const from = new Date('2026-01-01T10:00:00Z');
    const first = await runs.since(from);
    expect(first.map((r) => [r.name, r.status, r.refunded])).toEqual([
      ['new', 'RUNNING', undefined],
      ['refunded', 'SUCCEEDED', true],
      ['delivered', 'SUCCEEDED', false],
    ]);
    expect(sfn).toHaveReceivedCommandTimes(ListExecutionsCommand, 2);
    expect(sfn).toHaveReceivedCommandTimes(DescribeExecutionCommand, 2);

    await runs.since(from);
    expect(sfn).toHaveReceivedCommandTimes(DescribeExecutionCommand, 2);
  });
});
