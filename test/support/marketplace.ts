// The marketplace the order tests start from: a listed design and printers online through simulated printer agents,
// made through the API as a designer and an operator would (test/support/fleet.ts does the work; these keep the order
// tests' shorter signatures).
import { addPrinter as addFleetPrinter, listDesign as listFleetDesign, type Agent } from './fleet.js';
import type { TestPlatform } from './test-platform.js';

export type PrinterAgent = Agent;

/** A design listed by the demo designer: created, its STL (a box of `size` mm) uploaded and ingested. */
export async function listDesign(t: TestPlatform, title: string, terms: Record<string, unknown>, size: [number, number, number], extra: Record<string, unknown> = {}): Promise<string> {
  return listFleetDesign(t, title, size, { terms, extra });
}

/**
 * A printer of the demo operator, online through a simulated printer agent (pushed onto `agents` for the caller to
 * stop). `timeScale` is how many times faster than real time it prints.
 */
export async function addPrinter(
  t: TestPlatform,
  agents: PrinterAgent[],
  name: string,
  behaviour: { declines?: boolean; failsAt?: number; timeScale?: number; terms?: { feePerHourCents: number; feePerGramCents: number; text: string } } = {},
): Promise<string> {
  const { printerId, agent } = await addFleetPrinter(t, name, {
    terms: behaviour.terms,
    agent: {
      ...(behaviour.timeScale !== undefined ? { timeScale: behaviour.timeScale } : {}),
      ...(behaviour.declines ? { acceptJobs: false } : {}),
      ...(behaviour.failsAt !== undefined ? { faults: { thermalAt: behaviour.failsAt } } : {}),
    },
  });
  agents.push(agent);
  return printerId;
}
