import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, problem } from '@hookflow/shared';
import { ingestLogSampler } from './ingest-log-sampler.js';
import type { IngestResult } from './ingest.js';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger({ name: 'ingress', level, destination }), lines };
}

const accepted: IngestResult = { outcome: 'accepted', deliveryId: 'dlv_1', status: 'queued' };
const rejected: IngestResult = { outcome: 'rejected', problem: problem('signature_invalid', 'the signature does not match') };

describe('ingestLogSampler', () => {
  it('logs one /hooks request in N at debug level, with ids and codes only', async () => {
    const { log, lines } = capture('debug');
    const sample = ingestLogSampler(log, 3);
    for (let i = 0; i < 5; i++) sample('wh_a', accepted);
    sample('wh_b', rejected);
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => l.msg)).toEqual(['ingest sample', 'ingest sample']);
    expect(lines[0]).toMatchObject({
      level: 20,
      webhookId: 'wh_a',
      outcome: 'accepted',
      status: 202,
      deliveryId: 'dlv_1',
      sampledOneIn: 3,
    });
    expect(lines[1]).toMatchObject({ webhookId: 'wh_b', outcome: 'rejected', status: 401, code: 'signature_invalid' });
  });

  it('logs nothing above debug level', async () => {
    const { log, lines } = capture('info');
    const sample = ingestLogSampler(log, 1);
    for (let i = 0; i < 3; i++) sample('wh_a', accepted);
    await new Promise((r) => setImmediate(r));
    expect(lines).toEqual([]);
  });
});
