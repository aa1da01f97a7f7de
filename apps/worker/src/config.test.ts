import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('worker loadConfig', () => {
  it('applies the defaults of API.md', () => {
    expect(loadConfig({})).toMatchObject({ queues: ['default'], concurrency: 10, port: 9464, prefix: 'hookflow' });
  });

  it('reads a queue list and concurrency', () => {
    expect(loadConfig({ HOOKFLOW_QUEUES: 'default, payments ,crm', WORKER_CONCURRENCY: '4' })).toMatchObject({
      queues: ['default', 'payments', 'crm'],
      concurrency: 4,
    });
  });

  it('caps a run at 256 MB unless HOOKFLOW_RUN_MEMORY_MB says otherwise, and refuses a cap too small to start a thread', () => {
    expect(loadConfig({}).runMemoryMb).toBe(256);
    expect(loadConfig({ HOOKFLOW_RUN_MEMORY_MB: '512' }).runMemoryMb).toBe(512);
    for (const bad of ['8', 'lots', '0']) expect(() => loadConfig({ HOOKFLOW_RUN_MEMORY_MB: bad })).toThrow(/HOOKFLOW_RUN_MEMORY_MB/);
  });

  it('names each bad variable in one message', () => {
    let text = '';
    try {
      loadConfig({ WORKER_CONCURRENCY: '0', HOOKFLOW_QUEUES: 'bad name!', WORKER_PORT: 'x' });
    } catch (err) {
      text = (err as Error).message;
    }
    for (const name of ['WORKER_CONCURRENCY', 'HOOKFLOW_QUEUES', 'WORKER_PORT']) expect(text).toContain(name);
  });
});
