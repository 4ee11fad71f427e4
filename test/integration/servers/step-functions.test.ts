// Local Step Functions through the unmodified SFNClient, running ASL written for AWS: Lambda task results and errors,
// Retry/Catch/Choice, the task-token layer with heartbeats, idempotent named starts, history and restarts.
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localCredentials, localRegion } from '../../../local/servers/local-aws.js';
import { startStepFunctions } from '../../../local/servers/step-functions.js';
import { RuleViolation, DependencyUnavailable } from '../../../shared/errors.js';

const fixture = (name: string) => readFile(resolve(import.meta.dirname, '../../fixtures/workflows', name), 'utf8');

describe('local Step Functions', () => {
  let dir: string;
  let sfnServer: Awaited<ReturnType<typeof startStepFunctions>>;
  let sfn: SFNClient;
  const calls: { key: string; payload: unknown }[] = [];
  let reserveBehaviour: (n: number) => unknown;
  let tokens: string[];

  const start = async () => {
    sfnServer = await startStepFunctions({
      port: 0,
      dataDir: dir,
      stateMachines: {
        chain: {
          name: 'dpm-chain',
          definition: await fixture('chain.asl.json'),
          invokeTask: async (key, payload) => {
            calls.push({ key, payload });
            return reserveBehaviour(calls.filter((c) => c.key === key).length);
          },
        },
        callback: {
          name: 'dpm-callback',
          definition: await fixture('callback.asl.json'),
          invokeTask: async (key, payload) => {
            calls.push({ key, payload });
            const token = (payload as { taskToken: string }).taskToken;
            tokens.push(token);
            // The answer arrives while the invocation still runs (a printer that fails at once).
            if ((payload as { job?: string }).job === 'fails-at-once') {
              await sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'Rejected', cause: 'failed at once' }));
              await new Promise((r) => setTimeout(r, 50));
            }
            return null;
          },
        },
      },
    });
    sfn = new SFNClient({ endpoint: sfnServer.url, region: localRegion, credentials: localCredentials });
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpm-sfn-'));
    calls.length = 0;
    tokens = [];
    reserveBehaviour = () => ({ reserved: true });
    await start();
  });

  afterEach(async () => {
    sfn.destroy();
    await sfnServer.close();
    await rm(dir, { recursive: true, force: true });
  });

  // Waits by the clock, not by a count of polls: a loaded machine makes each poll slower, not the executions faster.
  async function settled(executionArn: string, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (d.status !== 'RUNNING') return d;
      if (Date.now() > deadline) throw new Error(`still running after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function waitForToken(n = 1, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    while (tokens.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    if (tokens.length < n) throw new Error(`no task token #${n} within ${timeoutMs} ms`);
    return tokens[n - 1]!;
  }

  it('runs Lambda tasks with the lambda:invoke result shape, and Choice', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: sfnServer.stateMachineArn('chain'), input: JSON.stringify({ order: 'o1' }) }));
    const d = await settled(executionArn!);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual({ order: 'o1', reservation: { reserved: true } });
    expect(calls).toEqual([{ key: 'reserve', payload: { order: 'o1' } }]);
  });

  it('retries by error name and catches a named domain error', async () => {
    reserveBehaviour = (n) => {
      if (n === 1) throw new DependencyUnavailable('db busy');
      throw new RuleViolation('edition sold out');
    };
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: sfnServer.stateMachineArn('chain'), input: '{}' }));
    const d = await settled(executionArn!);
    expect(d).toMatchObject({ status: 'FAILED', error: 'Refused', cause: 'No reservation' });
    expect(calls).toHaveLength(2);
    const history = (await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events!.map((e) => e.type);
    expect(history).toEqual(expect.arrayContaining(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskFailed', 'FailStateEntered', 'ExecutionFailed']));
  });

  it('is idempotent on the execution name, and refuses the same name with other input', async () => {
    const arn = sfnServer.stateMachineArn('chain');
    const a = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'order-1', input: '{"a":1}' }));
    const b = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'order-1', input: '{"a":1}' }));
    expect(b.executionArn).toBe(a.executionArn);
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'order-1', input: '{"a":2}' }))).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    await settled(a.executionArn!);
    expect(calls).toHaveLength(1);
    expect((await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }))).executions).toHaveLength(1);
  });

  it('waits for a task token: success, failure caught by name, and unknown tokens', async () => {
    const arn = sfnServer.stateMachineArn('callback');
    const ok = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"job":"j1"}' }));
    const token = await waitForToken(1);
    expect(calls[0]).toEqual({ key: 'dispatch', payload: { job: 'j1', taskToken: token } });
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ printerId: 'p1' }) }));
    expect(JSON.parse((await settled(ok.executionArn!)).output!)).toEqual({ job: 'j1', printer: { printerId: 'p1' }, outcome: 'printed' });
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toMatchObject({ name: 'TaskTimedOut' });
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: '', output: '{}' }))).rejects.toMatchObject({ name: 'InvalidToken' });

    const rejected = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"job":"j2"}' }));
    await sfn.send(new SendTaskFailureCommand({ taskToken: await waitForToken(2), error: 'Rejected', cause: 'busy' }));
    expect(JSON.parse((await settled(rejected.executionArn!)).output!)).toMatchObject({ outcome: 'reassigned', error: { Error: 'Rejected', Cause: 'busy' } });
  });

  it('takes a failure sent while the task’s own invocation still runs, without an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: sfnServer.stateMachineArn('callback'), input: '{"job":"fails-at-once"}' }));
      expect(JSON.parse((await settled(started.executionArn!)).output!)).toMatchObject({ outcome: 'reassigned', error: { Error: 'Rejected', Cause: 'failed at once' } });
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('keeps a waiting task alive with heartbeats and times it out without them', async () => {
    const arn = sfnServer.stateMachineArn('callback');
    const alive = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"job":"j3"}' }));
    const token = await waitForToken(1);
    // HeartbeatSeconds is 2: a beat every 500 ms leaves 1.5 s of slack for a loaded machine, and six of them keep the
    // task waiting 3 s, longer than it would live without them.
    const t0 = Date.now();
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 500));
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    }
    expect(Date.now() - t0).toBeGreaterThan(2000);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '"done"' }));
    expect((await settled(alive.executionArn!)).status).toBe('SUCCEEDED');

    const silent = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"job":"j4"}' }));
    await waitForToken(2);
    expect(await settled(silent.executionArn!)).toMatchObject({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
  });

  it('stops an execution, and after a restart keeps finished ones and runs unfinished ones again', async () => {
    const arn = sfnServer.stateMachineArn('callback');
    const stopped = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"job":"j5"}' }));
    await waitForToken(1);
    await sfn.send(new StopExecutionCommand({ executionArn: stopped.executionArn }));
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: stopped.executionArn }))).status).toBe('ABORTED');

    const done = await sfn.send(new StartExecutionCommand({ stateMachineArn: sfnServer.stateMachineArn('chain'), input: '{}' }));
    await settled(done.executionArn!);
    const unfinished = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"job":"j6"}' }));
    await waitForToken(2);

    sfn.destroy();
    await sfnServer.close();
    await start();
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: done.executionArn }))).status).toBe('SUCCEEDED');
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: stopped.executionArn }))).status).toBe('ABORTED');
    const again = await waitForToken(3);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: again, output: '{}' }));
    expect((await settled(unfinished.executionArn!)).status).toBe('SUCCEEDED');
    const history = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: unfinished.executionArn }))).events!.map((e) => e.type);
    expect(history).toContain('ExecutionRestarted');
  });

  it('refuses an invalid definition at start, naming the state machine', async () => {
    await expect(startStepFunctions({ port: 0, dataDir: dir, stateMachines: { bad: { name: 'dpm-bad', definition: '{"StartAt":"X","States":{}}', invokeTask: async () => null } } })).rejects.toThrow('State machine dpm-bad: invalid definition');
  });
});
