import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKeys,
  createLogger,
  DeliverySignals,
  DeliveryStore,
  RecordStore,
  workflowDefinitionSchema,
  type Delivery,
  type WorkflowDefinitionInput,
} from '@hookflow/shared';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { newDelivery } from '../../../../test/support/new-delivery.js';
import { sendJson, startStub, type HttpStub } from '../../../../test/support/http-stub.js';
import { WorkflowError } from '../errors/workflow-error.js';
import { StepTimeoutError } from '../errors/step-timeout-error.js';
import { OutboundSecrets } from '../steps/outbound-secrets.js';
import { Checkpoints } from './checkpoints.js';
import type { RunWorkflow } from './execute-run.js';
import { createRunHost, type RunHost } from './run-host.js';
import { createRunPool, type RunExecutor } from './run-pool.js';

const prefix = testPrefix('run-pool');
const keys = createKeys(prefix);
const redis = testRedis();
const deliveries = new DeliveryStore(redis, keys);
const records = new RecordStore(redis, keys);
const memoryMb = 64;
let service: HttpStub;
let pool: RunExecutor;
let host: RunHost;
let release: () => void = () => {};

beforeAll(async () => {
  service = await startStub(async (req, res) => {
    if (req.path.startsWith('/slow')) await new Promise<void>((resolve) => (release = resolve));
    sendJson(res, 200, { path: req.path });
  });
  host = createRunHost({
    checkpoints: new Checkpoints(redis, keys, 1_048_576),
    records,
    outboundSecrets: new OutboundSecrets(redis, keys, undefined),
    maxStepOutputBytes: 1_048_576,
    now: () => new Date(),
    signals: new DeliverySignals(redis, keys),
  });
  pool = createRunPool({
    settings: {
      vars: { SERVICE_URL: service.url },
      llm: { baseUrl: undefined, apiKey: undefined, model: 'none', timeoutMs: 1_000 },
      egress: { allow: [new URL(service.url).host], maxResponseBytes: 1_048_576 },
      logLevel: 'silent',
    },
    threads: 2,
    memoryMb,
    log: createLogger({ name: 'run-pool-test', level: 'silent' }),
    workflowsModule: new URL('../../../../test/support/thread-workflows.ts', import.meta.url),
  });
});

afterAll(async () => {
  await pool?.close();
  await service?.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

/** A stored delivery (checkpoints are written only into an existing delivery) of `payload`. */
async function delivery(payload: unknown, workflow = 'test'): Promise<Delivery> {
  const stored = newDelivery({ webhookId: 'wh_pool', agentId: 'agt_pool', workflow, payloadJson: JSON.stringify(payload) });
  await deliveries.create(stored);
  return (await deliveries.start(stored.id, 1, new Date()))!.delivery;
}

const definition = (input: Omit<WorkflowDefinitionInput, 'name'>): RunWorkflow => ({
  kind: 'definition',
  definition: workflowDefinitionSchema.parse({ name: 'test', ...input }),
});
const transform = (expression: string) => definition({ steps: [{ id: 'calc', type: 'transform', expression }] });
const builtin = (name: string): RunWorkflow => ({ kind: 'builtin', name });

async function run(workflow: RunWorkflow, payload: unknown = {}, signal = new AbortController().signal) {
  return pool.run({ delivery: await delivery(payload), workflow }, host, signal);
}

/** A signal aborted with `reason` once `started` resolves (the run is under way in its thread). */
function abortWhen(started: Promise<unknown>, reason: Error): AbortSignal {
  const controller = new AbortController();
  void started.then(() => controller.abort(reason));
  return controller.signal;
}

const waitForHit = (path: string) => expect.poll(() => service.hits(path).length, { timeout: 60_000 }).toBeGreaterThan(0);

describe('run pool', () => {
  it("runs a definition in a thread and checkpoints its steps in the worker's Redis", async () => {
    const d = await delivery({ n: 20 });
    expect(await pool.run({ delivery: d, workflow: transform('payload.n * 2 + 2') }, host, new AbortController().signal)).toBe(42);
    expect(JSON.parse((await redis.hget(keys.delivery(d.id), 'step:calc'))!)).toMatchObject({ status: 'succeeded', output: 42 });
  });

  it('fails a run over its heap cap with resource_exhausted (not retryable), and keeps serving runs', async () => {
    const blowUp = transform('($grow := function($n){ $n > 0 ? [$grow($n - 1), $grow($n - 1)] : [1] }; $count($grow(25)))');
    await expect(run(blowUp)).rejects.toMatchObject({
      code: 'resource_exhausted',
      retryable: false,
      message: expect.stringContaining(`${memoryMb} MB`),
    });
    expect(await run(transform('1 + 1'))).toBe(2);
  });

  it('ends a synchronous endless loop by terminating its thread, failing with the abort reason', async () => {
    const tag = randomBytes(4).toString('hex');
    const cancelled = new WorkflowError('cancelled', 'an admin cancelled the delivery', false);
    await expect(run(builtin('ts-spin'), { tag }, abortWhen(waitForHit(`/count/spin-started-${tag}`), cancelled))).rejects.toBe(cancelled);
    const regex = run(transform('$match(payload.s, /^(a+)+$/)'), { s: `${'a'.repeat(28)}!` }, AbortSignal.timeout(1_500));
    // A signal aborted with something that is not a WorkflowError means the worker is closing: retryable.
    await expect(regex).rejects.toMatchObject({ code: 'worker_stopping', retryable: true });
    const timeout = new StepTimeoutError('the run exceeded its timeoutMs of 1500 ms');
    const controller = new AbortController();
    setTimeout(() => controller.abort(timeout), 1_500);
    await expect(run(transform('$match(payload.s, /^(a+)+$/)'), { s: `${'a'.repeat(28)}!` }, controller.signal)).rejects.toMatchObject({
      code: 'timeout',
      retryable: true,
    });
    expect(await run(transform('"still " & "serving"'))).toBe('still serving');
  });

  it("terminating one run's thread leaves a run in another thread to finish", async () => {
    const tag = randomBytes(4).toString('hex');
    const slow = run(definition({ steps: [{ id: 'wait', type: 'http', url: `{{ env.SERVICE_URL }}/slow/${tag}` }] }), {});
    await waitForHit(`/slow/${tag}`);
    const spinning = run(
      builtin('ts-spin'),
      { tag },
      abortWhen(waitForHit(`/count/spin-started-${tag}`), new StepTimeoutError('over time')),
    );
    await expect(spinning).rejects.toMatchObject({ code: 'timeout' });
    release();
    expect(await slow).toMatchObject({ status: 200, body: { path: `/slow/${tag}` } });
  });

  it('fails a run whose thread crashed with a retryable run_crashed', async () => {
    await expect(run(builtin('ts-crash'))).rejects.toMatchObject({ code: 'run_crashed', retryable: true });
    expect(await run(builtin('echo'), { after: 'crash' })).toEqual({ after: 'crash' });
  });

  it('gives a run thread no environment variables (no Redis URL, no keys) and keeps failures as their codes', async () => {
    expect(await run(builtin('ts-process-env'))).toEqual([]);
    await expect(run(builtin('no-such-workflow'))).rejects.toMatchObject({ code: 'workflow_not_found', retryable: false });
    await expect(
      run(definition({ steps: [{ id: 'stop', type: 'fail', code: 'amount_too_large', message: 'too much' }] })),
    ).rejects.toMatchObject({ code: 'amount_too_large', message: 'too much' });
  });
});
