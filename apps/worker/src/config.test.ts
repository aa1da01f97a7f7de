import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('worker loadConfig', () => {
  it('applies the defaults of API.md', () => {
    expect(loadConfig({})).toMatchObject({ queues: ['default'], concurrency: 10, port: 9464, prefix: 'hookflow', maxStalls: 2 });
  });

  it('reads HOOKFLOW_MAX_STALLS and refuses one below 1', () => {
    expect(loadConfig({ HOOKFLOW_MAX_STALLS: '5' }).maxStalls).toBe(5);
    expect(() => loadConfig({ HOOKFLOW_MAX_STALLS: '0' })).toThrow(/HOOKFLOW_MAX_STALLS/);
  });

  it('reads a queue list and concurrency', () => {
    expect(loadConfig({ HOOKFLOW_QUEUES: 'default, payments ,crm', WORKER_CONCURRENCY: '4' })).toMatchObject({
      queues: ['default', 'payments', 'crm'],
      concurrency: 4,
    });
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
