// A CDK app given no outdir synthesizes into a fresh temporary directory of its own and leaves it behind: with every
// function bundled that is ~250 MB per synth, which filled /tmp run after run. Tests give each app this one instead.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A temporary cloud assembly directory, removed after the calling test file. Call at the top level of the file. */
export function cdkOutdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dpm-cdk-out-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
