// WorkflowRuns on Step Functions: ListExecutions (newest first) back to the window, and DescribeExecution once per
// finished execution to tell a refunded order (the output carries the `failure` the Catch put there) from a delivered
// one. A finished execution never changes, so its verdict is kept for the life of the process (a warm Lambda).
import { DescribeExecutionCommand, ListExecutionsCommand, type ExecutionListItem, type SFNClient } from '@aws-sdk/client-sfn';
import type { WorkflowRun, WorkflowRuns } from '../admin/operations.js';
import { reportUnavailable } from './aws-unavailable.js';

/** How far back to look for executions that started before the window and stopped inside it (print jobs are long). */
const lookbackMs = 24 * 3600_000;
const maxPages = 10;
/** DescribeExecution calls per read at most; the rest are described on the next refresh. */
const maxDescribes = 50;

export class SfnWorkflowRuns implements WorkflowRuns {
  private readonly refunded = new Map<string, boolean>();
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {
    reportUnavailable(sfn, 'Step Functions');
  }

  async since(from: Date): Promise<WorkflowRun[]> {
    const oldest = from.getTime() - lookbackMs;
    const items: ExecutionListItem[] = [];
    let token: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const out = await this.sfn.send(new ListExecutionsCommand({ stateMachineArn: this.stateMachineArn, maxResults: 1000, nextToken: token }));
      const list = out.executions ?? [];
      items.push(...list);
      token = out.nextToken;
      if (!token || list.some((e) => (e.startDate?.getTime() ?? 0) < oldest)) break;
    }
    const relevant = items.filter((e) => (e.startDate && e.startDate >= from) || (e.stopDate && e.stopDate >= from));
    let described = 0;
    const runs: WorkflowRun[] = [];
    for (const e of relevant) {
      let refunded = this.refunded.get(e.executionArn!);
      if (refunded === undefined && e.status === 'SUCCEEDED' && described < maxDescribes) {
        described++;
        const d = await this.sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
        refunded = outputHasFailure(d.output);
        this.refunded.set(e.executionArn!, refunded);
      }
      runs.push({ name: e.name!, status: e.status as WorkflowRun['status'], startedAt: e.startDate!, stoppedAt: e.stopDate, refunded });
    }
    // Verdicts of executions that left the window are no longer needed: the cache stays as small as the window.
    const kept = new Set(relevant.map((e) => e.executionArn));
    for (const arn of this.refunded.keys()) if (!kept.has(arn)) this.refunded.delete(arn);
    return runs;
  }
}

function outputHasFailure(output: string | undefined): boolean {
  if (!output) return false;
  try {
    const o = JSON.parse(output) as { failure?: unknown };
    return o.failure !== undefined && o.failure !== null;
  } catch {
    return false;
  }
}
