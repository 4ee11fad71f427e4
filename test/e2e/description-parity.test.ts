// The cloud and the local platform come from one description; this proves they did not drift apart: every route and
// trigger of the synthesized CloudFormation is served by the running embedded platform, and the reverse.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { templateRoutesAndTriggers } from '../../infra/synth.js';
import { readLocalConfig } from '../../local/local-config.js';
import { startPlatform, type RunningPlatform } from '../../local/runtime.js';
import { localPortVars } from '../support/npm-start.js';

describe('the synthesized template and the embedded platform', () => {
  let dataDir: string;
  let running: RunningPlatform;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dpm-parity-'));
    const env: NodeJS.ProcessEnv = { DPM_DATA_DIR: dataDir, DPM_LOG: 'quiet' };
    for (const v of localPortVars) env[v] = '0';
    running = await startPlatform(readLocalConfig(env));
  });

  afterAll(async () => {
    await running?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves exactly the routes of the HTTP API', () => {
    const cloud = templateRoutesAndTriggers();
    expect([...running.served.routes].sort()).toEqual([...cloud.routes].sort());
    expect(cloud.routes).toContain('GET /health');
  });

  it('wires exactly the triggers of the cloud: queues, event rules and workflow tasks', () => {
    const cloud = templateRoutesAndTriggers();
    expect([...running.served.triggers].sort()).toEqual([...cloud.triggers].sort());
    expect(cloud.triggers.length).toBeGreaterThan(0);
  });
});
