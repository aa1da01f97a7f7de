import { describe, expect, it } from 'vitest';
import { loadBenchConfig } from '../../bench/config.js';

describe('bench settings', () => {
  it('measures the pipeline at the worker concurrency Hookflow ships with unless told otherwise', () => {
    expect(loadBenchConfig({}).workerConcurrency).toBe(10);
    expect(loadBenchConfig({ BENCH_WORKER_CONCURRENCY: '' }).workerConcurrency).toBe(10);
    expect(loadBenchConfig({ BENCH_WORKER_CONCURRENCY: '50' }).workerConcurrency).toBe(50);
  });

  it('shortens everything in quick mode and keeps explicit settings', () => {
    expect(loadBenchConfig({ BENCH_QUICK: '1' })).toMatchObject({ quick: true, rounds: 2, roundSeconds: 1, pipelineDeliveries: 300 });
    expect(loadBenchConfig({ BENCH_QUICK: '1', BENCH_ROUNDS: '3', BENCH_PIPELINE_DELIVERIES: '700' })).toMatchObject({
      rounds: 3,
      pipelineDeliveries: 700,
    });
    expect(loadBenchConfig({})).toMatchObject({ quick: false, rounds: 5, roundSeconds: 5, pipelineDeliveries: 5000, connections: 50 });
  });

  it.each([
    ['BENCH_WORKER_CONCURRENCY', '0', 'must be at least 1'],
    ['BENCH_WORKER_CONCURRENCY', '2.5', 'must be a whole number'],
    ['BENCH_WORKER_CONCURRENCY', '5000', 'must be at most 1000'],
    ['BENCH_ROUNDS', 'many', 'Invalid input: expected number'],
  ])('refuses %s=%s with a message naming the variable', (name, value, message) => {
    expect(() => loadBenchConfig({ [name]: value })).toThrow(`${name}: ${message}`);
  });
});
