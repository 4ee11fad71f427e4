import { describe, expect, it } from 'vitest';

describe('toolchain', () => {
  it('runs every npm script on the pinned Node.js 24', () => {
    expect(process.version).toMatch(/^v24\./);
  });
});
