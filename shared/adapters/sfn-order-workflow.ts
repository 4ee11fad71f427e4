// The order workflow on Step Functions (the local engine speaks the same protocol). Executions are named after the
// order, so starting twice is harmless; callbacks on a closed task token report false instead of failing.
import {
  ExecutionAlreadyExists,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { OrderWorkflow, TaskCallbacks } from '../orders/ports.js';
import { reportUnavailable } from './aws-unavailable.js';

export class SfnOrderWorkflow implements OrderWorkflow {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {
    reportUnavailable(sfn, 'Step Functions');
  }

  async start(orderId: string, input: Record<string, unknown>): Promise<void> {
    try {
      await this.sfn.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: orderId, input: JSON.stringify(input) }));
    } catch (err) {
      // Same name and same input is idempotent in AWS already; a different input means the order started before.
      if (!(err instanceof ExecutionAlreadyExists)) throw err;
    }
  }
}

const closed = (err: unknown) => err instanceof TaskTimedOut || err instanceof TaskDoesNotExist || err instanceof InvalidToken;

export class SfnTaskCallbacks implements TaskCallbacks {
  constructor(private readonly sfn: SFNClient) {
    reportUnavailable(sfn, 'Step Functions');
  }

  private async send(command: SendTaskSuccessCommand | SendTaskFailureCommand | SendTaskHeartbeatCommand): Promise<boolean> {
    try {
      await this.sfn.send(command as SendTaskSuccessCommand);
      return true;
    } catch (err) {
      if (closed(err)) return false;
      throw err;
    }
  }

  succeed(token: string, output: Record<string, unknown>) {
    return this.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
  }

  fail(token: string, error: string, cause: string) {
    // AWS limits: error 256 characters, cause 32,768.
    return this.send(new SendTaskFailureCommand({ taskToken: token, error: error.slice(0, 256), cause: cause.slice(0, 32_768) }));
  }

  heartbeat(token: string) {
    return this.send(new SendTaskHeartbeatCommand({ taskToken: token }));
  }
}
