// Local Step Functions: aws-local-stepfunctions runs the same ASL files the CDK deploys, behind the Step Functions
// JSON protocol (`X-Amz-Target: AWSStepFunctions.<Op>`) for the unmodified SFNClient. We add what the library lacks:
// Lambda tasks routed to the handlers in-process with the lambda:invoke result shape, a task-token layer for
// `.waitForTaskToken` (SendTaskSuccess/Failure/Heartbeat, HeartbeatSeconds), named idempotent StartExecution, and
// an execution history kept in the data directory. An execution that was running when the process stopped is run
// again from the start with the same input after a restart: our task functions are idempotent, so that is safe.
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { closeServer, listen, type LocalServer } from '../server.js';
import { AwsJsonError, awsJsonHandler } from './aws-json.js';
import { localAccount, localRegion } from './local-aws.js';

export interface LocalStateMachine {
  name: string;
  /** Raw ASL with `${fn:<functionKey>}` placeholders. */
  definition: string;
  invokeTask(functionKey: string, payload: unknown): Promise<unknown>;
}

export interface StepFunctionsOptions {
  port?: number;
  host?: string;
  dataDir: string;
  stateMachines: Record<string, LocalStateMachine>;
}

type Status = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

interface Execution {
  executionArn: string;
  stateMachineArn: string;
  key: string;
  name: string;
  input: string;
  status: Status;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
}

interface PendingTask {
  executionArn: string;
  resolve: (output: unknown) => void;
  reject: (err: Error) => void;
  heartbeat?: { seconds: number; timer?: NodeJS.Timeout };
  done: boolean;
}

class SfnError extends AwsJsonError {}

const tokenMarker = '__DPM_TASK_TOKEN__';
const lambdaArnPrefix = `arn:aws:lambda:${localRegion}:${localAccount}:function:`;
const namedError = (name: string, message: string) => Object.assign(new Error(message), { name });

interface TaskInfo {
  waitForToken: boolean;
  heartbeatSeconds?: number;
}

/** Makes the ASL runnable locally without changing what it means; returns the Task states it found. */
function prepareDefinition(raw: string): { definition: Record<string, unknown>; tasks: Map<string, TaskInfo> } {
  const definition = JSON.parse(raw.replace(/\$\{fn:([A-Za-z0-9]+)\}/g, (_m, key: string) => `${lambdaArnPrefix}${key}`)) as Record<string, unknown>;
  const tasks = new Map<string, TaskInfo>();
  const replaceToken = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(replaceToken);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        // The library cannot resolve $$.Task.Token; a marker is swapped for a fresh token per task run instead.
        if (k.endsWith('.$') && x === '$$.Task.Token') out[k.slice(0, -2)] = tokenMarker;
        else out[k] = replaceToken(x);
      }
      return out;
    }
    return v;
  };
  const walk = (states: Record<string, Record<string, unknown>> | undefined) => {
    for (const [name, s] of Object.entries(states ?? {})) {
      if (s.Type === 'Task') {
        const resource = String(s.Resource);
        tasks.set(name, { waitForToken: resource.endsWith('.waitForTaskToken'), heartbeatSeconds: typeof s.HeartbeatSeconds === 'number' ? s.HeartbeatSeconds : undefined });
        if (s.Parameters) s.Parameters = replaceToken(s.Parameters);
        // AWS's default task timeout is 99999999 s; the library's is 60 s, far too short for a print. Node timers
        // cap at 2^31-1 ms (about 24.8 days), and a longer one fires at once, so that is the local ceiling.
        // A longer TimeoutSeconds (a 30-day wait for delivery) is shortened to that ceiling locally.
        if (s.TimeoutSeconds === undefined && s.TimeoutSecondsPath === undefined) s.TimeoutSeconds = 2_147_483;
        else if (typeof s.TimeoutSeconds === 'number' && s.TimeoutSeconds > 2_147_483) s.TimeoutSeconds = 2_147_483;
      }
      for (const b of (s.Branches as { States: Record<string, Record<string, unknown>> }[] | undefined) ?? []) walk(b.States);
      const inner = (s.ItemProcessor ?? s.Iterator) as { States: Record<string, Record<string, unknown>> } | undefined;
      if (inner) walk(inner.States);
    }
  };
  walk(definition.States as Record<string, Record<string, unknown>>);
  return { definition, tasks };
}

function withToken(v: unknown, token: string): unknown {
  if (v === tokenMarker) return token;
  if (Array.isArray(v)) return v.map((x) => withToken(x, token));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withToken(x, token)]));
  return v;
}

export async function startStepFunctions(opts: StepFunctionsOptions) {
  const host = opts.host ?? '127.0.0.1';
  await mkdir(opts.dataDir, { recursive: true });
  const machineArn = (name: string) => `arn:aws:states:${localRegion}:${localAccount}:stateMachine:${name}`;
  const machines = new Map<string, { key: string; spec: LocalStateMachine; arn: string; sm: StateMachine; tasks: Map<string, TaskInfo>; definition: Record<string, unknown>; createdAt: number }>();
  for (const [key, spec] of Object.entries(opts.stateMachines)) {
    let prepared;
    let sm;
    try {
      prepared = prepareDefinition(spec.definition);
      sm = new StateMachine(prepared.definition as never, { validationOptions: { checkArn: false } });
    } catch (err) {
      throw new Error(`State machine ${spec.name}: invalid definition: ${(err as Error).message}`, { cause: err });
    }
    machines.set(machineArn(spec.name), { key, spec, arn: machineArn(spec.name), sm, tasks: prepared.tasks, definition: prepared.definition, createdAt: Date.now() });
  }

  const executions = new Map<string, Execution>();
  const journalPath = join(opts.dataDir, 'executions.jsonl');
  const text = await readFile(journalPath, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as Execution;
      executions.set(e.executionArn, e);
    } catch {
      break;
    }
  }
  // One line per execution state change; the last line of an execution wins on replay.
  const journal: FileHandle = await open(journalPath, 'a');
  let writing = Promise.resolve();
  const persist = (e: Execution) => {
    const line = JSON.stringify(e) + '\n';
    writing = writing.then(() => journal.appendFile(line));
    return writing;
  };

  const pending = new Map<string, PendingTask>();
  const running = new Map<string, { abort: () => void }>();
  let closed = false;

  const addEvent = (e: Execution, type: string, details: Record<string, unknown> = {}) => {
    const id = e.history.length + 1;
    e.history.push({ id, previousEventId: id - 1, timestamp: Date.now(), type, ...details });
  };

  const armHeartbeat = (token: string) => {
    const p = pending.get(token);
    if (!p?.heartbeat) return;
    clearTimeout(p.heartbeat.timer);
    p.heartbeat.timer = setTimeout(() => {
      if (p.done) return;
      p.done = true;
      pending.delete(token);
      p.reject(namedError('States.HeartbeatTimeout', `No heartbeat within ${p.heartbeat!.seconds} s`));
    }, p.heartbeat.seconds * 1000);
  };

  function run(e: Execution) {
    const m = machines.get(e.stateMachineArn)!;
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, info] of m.tasks) {
      handlers[stateName] = async (input) => {
        const params = input as { FunctionName?: string; Payload?: unknown };
        const fn = String(params.FunctionName ?? '');
        if (!fn.startsWith(lambdaArnPrefix)) throw namedError('States.Runtime', `Task ${stateName}: only Lambda tasks with FunctionName \${fn:<key>} run locally (got ${fn || 'none'})`);
        const key = fn.slice(lambdaArnPrefix.length);
        addEvent(e, 'TaskScheduled', { taskScheduledEventDetails: { resourceType: 'lambda', resource: info.waitForToken ? 'invoke.waitForTaskToken' : 'invoke', parameters: JSON.stringify(params) } });
        if (!info.waitForToken) {
          try {
            const payload = await m.spec.invokeTask(key, params.Payload);
            addEvent(e, 'TaskSucceeded', { taskSucceededEventDetails: { resourceType: 'lambda', output: JSON.stringify(payload ?? null) } });
            return { ExecutedVersion: '$LATEST', Payload: payload ?? null, StatusCode: 200, SdkHttpMetadata: { HttpStatusCode: 200 } };
          } catch (err) {
            addEvent(e, 'TaskFailed', { taskFailedEventDetails: { error: (err as Error).name, cause: (err as Error).message } });
            throw err;
          }
        }
        const token = Buffer.from(`${e.executionArn}|${stateName}|${randomUUID()}`).toString('base64url');
        const result = new Promise<unknown>((resolve, reject) => {
          pending.set(token, { executionArn: e.executionArn, resolve, reject, done: false, heartbeat: info.heartbeatSeconds ? { seconds: info.heartbeatSeconds } : undefined });
        });
        // The answer can come while the task's own invocation is still running (a printer that fails at once): the
        // outcome is awaited below, after the invocation, and must not count as an unhandled rejection before then.
        result.catch(() => undefined);
        armHeartbeat(token);
        try {
          await m.spec.invokeTask(key, withToken(params.Payload, token));
          const output = await result;
          addEvent(e, 'TaskSucceeded', { taskSucceededEventDetails: { resourceType: 'lambda', output: JSON.stringify(output) } });
          return output;
        } catch (err) {
          addEvent(e, 'TaskFailed', { taskFailedEventDetails: { error: (err as Error).name, cause: (err as Error).message } });
          throw err;
        } finally {
          const p = pending.get(token);
          if (p) {
            p.done = true;
            clearTimeout(p.heartbeat?.timer);
          }
          pending.delete(token);
        }
      };
    }
    const execution = m.sm.run(JSON.parse(e.input), { overrides: { taskResourceLocalHandlers: handlers as never } });
    running.set(e.executionArn, execution);
    void (async () => {
      for await (const ev of execution.eventLogs) {
        const s = (ev as { state?: { name: string; type: string; input?: unknown; output?: unknown } }).state;
        if (ev.type === 'ExecutionStarted') addEvent(e, 'ExecutionStarted', { executionStartedEventDetails: { input: e.input, roleArn: `arn:aws:iam::${localAccount}:role/local` } });
        else if (ev.type === 'StateEntered' && s) addEvent(e, `${s.type}StateEntered`, { stateEnteredEventDetails: { name: s.name, input: JSON.stringify(s.input ?? null) } });
        else if (ev.type === 'StateExited' && s) addEvent(e, `${s.type}StateExited`, { stateExitedEventDetails: { name: s.name, output: JSON.stringify(s.output ?? null) } });
        else if (ev.type === 'StateRetried' && s) addEvent(e, 'StateRetried', { name: s.name });
        else if (ev.type === 'StateCaught' && s) addEvent(e, 'StateCaught', { name: s.name });
      }
    })().catch(() => undefined);
    void execution.result.then(
      (output: unknown) => finish(e, 'SUCCEEDED', { output: JSON.stringify(output) }),
      (err: Error & { cause?: unknown }) => {
        if (e.status !== 'RUNNING') return;
        // The library wraps the state's error: `cause` carries its name (Error) and message (Cause).
        const inner = err.cause instanceof Error ? err.cause : undefined;
        const error = inner?.name ?? err.name;
        const cause = inner?.message ?? err.message;
        // Only the execution's own TimeoutSeconds makes it TIMED_OUT; a task timing out fails it, as in AWS.
        const limit = typeof m.definition.TimeoutSeconds === 'number' ? m.definition.TimeoutSeconds * 1000 : Infinity;
        finish(e, error === 'States.Timeout' && Date.now() - e.startDate >= limit - 50 ? 'TIMED_OUT' : 'FAILED', { error, cause });
      },
    );
  }

  function finish(e: Execution, status: Status, r: { output?: string; error?: string; cause?: string }) {
    if (e.status !== 'RUNNING' || closed) return;
    running.delete(e.executionArn);
    Object.assign(e, { status, stopDate: Date.now(), ...r });
    const type = { SUCCEEDED: 'ExecutionSucceeded', FAILED: 'ExecutionFailed', TIMED_OUT: 'ExecutionTimedOut', ABORTED: 'ExecutionAborted', RUNNING: '' }[status];
    addEvent(e, type, status === 'SUCCEEDED' ? { executionSucceededEventDetails: { output: r.output } } : { executionFailedEventDetails: { error: r.error, cause: r.cause } });
    void persist(e);
  }

  // Executions the last process left running start again from the beginning.
  for (const e of executions.values()) {
    if (e.status === 'RUNNING' && machines.has(e.stateMachineArn)) {
      addEvent(e, 'ExecutionRestarted', { reason: 'the local platform restarted' });
      run(e);
    }
  }

  const execution = (arn: unknown): Execution => {
    const e = typeof arn === 'string' ? executions.get(arn) : undefined;
    if (!e) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    return e;
  };
  const task = (token: unknown): PendingTask => {
    if (typeof token !== 'string' || !token) throw new SfnError('InvalidToken', 'Invalid Token');
    const p = pending.get(token);
    if (!p || p.done) throw new SfnError('TaskTimedOut', 'Task Timed Out');
    return p;
  };
  const describe = (e: Execution) => ({
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: e.startDate / 1000,
    stopDate: e.stopDate ? e.stopDate / 1000 : undefined,
    input: e.input,
    output: e.output,
    error: e.error,
    cause: e.cause,
  });

  const ops: Record<string, (b: Record<string, unknown>) => unknown> = {
    ListStateMachines: () => ({ stateMachines: [...machines.values()].map((m) => ({ stateMachineArn: m.arn, name: m.spec.name, type: 'STANDARD', creationDate: m.createdAt / 1000 })) }),
    DescribeStateMachine: (b) => {
      const m = machines.get(String(b.stateMachineArn));
      if (!m) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(b.stateMachineArn)}'`);
      return { stateMachineArn: m.arn, name: m.spec.name, status: 'ACTIVE', definition: JSON.stringify(m.definition), roleArn: `arn:aws:iam::${localAccount}:role/local`, type: 'STANDARD', creationDate: m.createdAt / 1000 };
    },
    StartExecution: (b) => {
      const m = machines.get(String(b.stateMachineArn));
      if (!m) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(b.stateMachineArn)}'`);
      const input = typeof b.input === 'string' ? b.input : '{}';
      try {
        JSON.parse(input);
      } catch {
        throw new SfnError('InvalidExecutionInput', 'Invalid State Machine Execution Input: the input is not JSON');
      }
      const name = typeof b.name === 'string' && b.name ? b.name : randomUUID();
      if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new SfnError('InvalidName', `Invalid Name: '${name}'`);
      const executionArn = `arn:aws:states:${localRegion}:${localAccount}:execution:${m.spec.name}:${name}`;
      const existing = executions.get(executionArn);
      if (existing) {
        // Standard workflows: the same name with the same input is the same execution (idempotent start).
        if (existing.input === input) return { executionArn, startDate: existing.startDate / 1000 };
        throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
      }
      const e: Execution = { executionArn, stateMachineArn: m.arn, key: m.key, name, input, status: 'RUNNING', startDate: Date.now(), history: [] };
      executions.set(executionArn, e);
      void persist(e);
      run(e);
      return { executionArn, startDate: e.startDate / 1000 };
    },
    DescribeExecution: (b) => describe(execution(b.executionArn)),
    GetExecutionHistory: (b) => {
      const e = execution(b.executionArn);
      const events = b.reverseOrder ? [...e.history].reverse() : e.history;
      return { events: events.map((h) => ({ ...h, id: h.id, timestamp: h.timestamp / 1000 })) };
    },
    ListExecutions: (b) => ({
      executions: [...executions.values()]
        .filter((e) => e.stateMachineArn === b.stateMachineArn && (!b.statusFilter || e.status === b.statusFilter))
        .sort((x, y) => y.startDate - x.startDate)
        .map((e) => ({ executionArn: e.executionArn, stateMachineArn: e.stateMachineArn, name: e.name, status: e.status, startDate: e.startDate / 1000, stopDate: e.stopDate ? e.stopDate / 1000 : undefined })),
    }),
    StopExecution: (b) => {
      const e = execution(b.executionArn);
      if (e.status === 'RUNNING') {
        for (const [t, p] of pending) if (p.executionArn === e.executionArn) pending.delete(t);
        finish(e, 'ABORTED', { error: typeof b.error === 'string' ? b.error : undefined, cause: typeof b.cause === 'string' ? b.cause : undefined });
        running.get(e.executionArn)?.abort();
      }
      return { stopDate: (e.stopDate ?? Date.now()) / 1000 };
    },
    SendTaskSuccess: (b) => {
      const p = task(b.taskToken);
      let output: unknown;
      try {
        output = JSON.parse(String(b.output));
      } catch {
        throw new SfnError('InvalidOutput', 'Invalid Output: the output is not JSON');
      }
      p.done = true;
      p.resolve(output);
      return {};
    },
    SendTaskFailure: (b) => {
      const p = task(b.taskToken);
      p.done = true;
      p.reject(namedError(typeof b.error === 'string' && b.error ? b.error : 'States.TaskFailed', typeof b.cause === 'string' ? b.cause : ''));
      return {};
    },
    SendTaskHeartbeat: (b) => {
      task(b.taskToken);
      armHeartbeat(String(b.taskToken));
      return {};
    },
  };

  const server = createServer(
    awsJsonHandler({
      targetPrefix: 'AWSStepFunctions.',
      contentType: 'application/x-amz-json-1.0',
      maxBodyBytes: 1024 * 1024,
      ops,
      errors: {
        unknownOperation: (op) => new SfnError('UnknownOperationException', `${op || '(no X-Amz-Target)'} is not supported by the local Step Functions`),
        notJson: () => new SfnError('SerializationException', 'The request body is not JSON'),
        tooLarge: () => new SfnError('ValidationException', 'The request is too large'),
        internalType: 'InternalFailure',
      },
    }),
  );

  const port = await listen(server, opts.port ?? 0, host, 'step-functions');
  const url = `http://${host}:${port}`;
  return {
    name: 'step-functions',
    url,
    port,
    async health() {
      return { ok: !closed, detail: `${machines.size} state machines, ${running.size} running, ${pending.size} waiting for a task token` };
    },
    async close() {
      // Running executions stay RUNNING in the journal and start again on the next start.
      closed = true;
      for (const p of pending.values()) clearTimeout(p.heartbeat?.timer);
      for (const r of running.values()) r.abort();
      await closeServer(server);
      await writing;
      await journal.close();
    },
    stateMachineArn(key: string): string {
      const m = [...machines.values()].find((x) => x.key === key);
      if (!m) throw new Error(`No state machine ${key}`);
      return m.arn;
    },
    executionsRunning: () => running.size,
  } satisfies LocalServer & Record<string, unknown>;
}
