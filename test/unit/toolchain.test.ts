import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';

describe('toolchain', () => {
  it('runs every npm script on the pinned Node.js 24', () => {
    expect(process.version).toMatch(/^v24\./);
  });
});

describe('the ledger node process', () => {
  it('is started by `npm run ledger` with the options the benchmark measures', async () => {
    const { ledgerNodeEnv, ledgerNodeFlags } = await import('../../local/ledger/process-options.js');
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    for (const flag of ledgerNodeFlags) expect(pkg.scripts.ledger).toContain(flag);
    for (const [k, v] of Object.entries(ledgerNodeEnv)) expect(pkg.scripts.ledger).toContain(`${k}=${v}`);
  });
});

describe('local configuration', () => {
  it('lists every port setting, so tests and the demo can move them all to free ports', async () => {
    const { LocalConfig, portVars } = await import('../../local/local-config.js');
    const ports = Object.keys(LocalConfig.shape).filter((k) => k === 'PORT' || k.startsWith('DPM_PORT_'));
    expect([...portVars].sort()).toEqual(ports.sort());
  });

  it('keeps DynamoDB Local on disk unless told memory, and names a wrong storage', async () => {
    const { readLocalConfig } = await import('../../local/local-config.js');
    expect(readLocalConfig({}).DPM_DYNAMODB_STORAGE).toBe('disk');
    expect(readLocalConfig({ DPM_DYNAMODB_STORAGE: 'memory' }).DPM_DYNAMODB_STORAGE).toBe('memory');
    expect(() => readLocalConfig({ DPM_DYNAMODB_STORAGE: 'tmpfs' })).toThrow(/DPM_DYNAMODB_STORAGE/);
  });

  it('runs DynamoDB Local with both JVM compilers unless told quick, and names a wrong choice', async () => {
    const { readLocalConfig } = await import('../../local/local-config.js');
    const { javaEnvironment } = await import('../../local/servers/dynamodb.js');
    expect(readLocalConfig({}).DPM_DYNAMODB_JIT).toBe('optimizing');
    expect(readLocalConfig({ DPM_DYNAMODB_JIT: 'quick' }).DPM_DYNAMODB_JIT).toBe('quick');
    expect(() => readLocalConfig({ DPM_DYNAMODB_JIT: 'c2' })).toThrow(/DPM_DYNAMODB_JIT/);
    expect(javaEnvironment('quick').JDK_JAVA_OPTIONS).toContain('-XX:TieredStopAtLevel=1');
    expect(javaEnvironment('optimizing').JDK_JAVA_OPTIONS).not.toContain('TieredStopAtLevel');
    expect(javaEnvironment().JDK_JAVA_OPTIONS).toBe(javaEnvironment('quick').JDK_JAVA_OPTIONS);
  });
});
