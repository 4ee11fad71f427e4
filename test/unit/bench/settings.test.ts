// The benchmarks' settings: a variable set to something its schema refuses stops the run and names itself, where a
// typo used to run with the default and report figures for another setup.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { benchSettings, wholeNumber } from '../../../bench/lib.js';
import { runOrdersBench } from '../../../bench/orders.js';
import { runVerifyBench } from '../../../bench/verify.js';

const shape = { COUNT: wholeNumber(300), WARMUP: wholeNumber(450, 0), JIT: z.enum(['optimizing', 'quick']).default('optimizing'), CONCURRENCY: z.coerce.number().int().min(1).optional() };

describe('benchSettings', () => {
  it('takes the defaults for unset or empty variables, and the values given', () => {
    expect(benchSettings(shape, {})).toEqual({ COUNT: 300, WARMUP: 450, JIT: 'optimizing', CONCURRENCY: undefined });
    expect(benchSettings(shape, { COUNT: '', JIT: '' })).toEqual({ COUNT: 300, WARMUP: 450, JIT: 'optimizing', CONCURRENCY: undefined });
    expect(benchSettings(shape, { COUNT: '30', WARMUP: '0', JIT: 'quick', CONCURRENCY: '12' })).toEqual({ COUNT: 30, WARMUP: 0, JIT: 'quick', CONCURRENCY: 12 });
  });

  it('refuses a value it cannot use, naming the variable and the value', () => {
    expect(() => benchSettings(shape, { JIT: 'quik' })).toThrow(/JIT="quik"/);
    expect(() => benchSettings(shape, { COUNT: '3OO' })).toThrow(/COUNT="3OO"/);
    expect(() => benchSettings(shape, { COUNT: '0' })).toThrow(/COUNT="0"/);
    expect(() => benchSettings(shape, { COUNT: '2.5' })).toThrow(/COUNT="2.5"/);
    expect(() => benchSettings(shape, { WARMUP: '-1', CONCURRENCY: 'many' })).toThrow(/WARMUP="-1".*; CONCURRENCY="many"/);
  });
});

describe('the benchmarks', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('stop before starting anything when a setting is wrong', async () => {
    process.env.ORDERS_BENCH_JIT = 'quik';
    await expect(runOrdersBench()).rejects.toThrow(/ORDERS_BENCH_JIT="quik"/);
    process.env.VERIFY_BENCH_ROUNDS = 'three';
    await expect(runVerifyBench()).rejects.toThrow(/VERIFY_BENCH_ROUNDS="three"/);
  });
});
