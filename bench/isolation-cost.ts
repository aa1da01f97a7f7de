/**
 * What run isolation costs per delivery: the worker's delivery processor runs the same deliveries of a one-transform
 * definition with the shipped run pool (a thread per run) and with the bench-only in-process executor (no isolation),
 * in alternating rounds in this process, one delivery at a time: wall time and CPU (this process, threads included)
 * per delivery, medians. The Redis work (start, checkpoints, outcome) is in both, so the difference is the isolation.
 */
import { performance } from 'node:perf_hooks';
import type { Job } from 'bullmq';
import {
  createLogger,
  DeliveryStore,
  newId,
  RecordStore,
  WorkflowCatalog,
  workflowDefinitionSchema,
  type Keys,
  type RedisClient,
} from '@hookflow/shared';
import { createDeliveryProcessor } from '../apps/worker/src/runner/run-delivery.js';
import { createRunPool, unsafeInProcessRuns, type RunExecutor } from '../apps/worker/src/runner/run-pool.js';
import { OutboundSecrets } from '../apps/worker/src/steps/outbound-secrets.js';
import { builtinImplementations } from '../apps/worker/src/workflows/builtins.js';
import type { RunSettings } from '../apps/worker/src/config.js';
import { median, ratio, say } from './stats.js';

export const isolationModes = ['thread', 'inProcess'] as const;
export type IsolationMode = (typeof isolationModes)[number];
export const isolationLabels: Record<IsolationMode, string> = {
  thread: 'in a run thread (shipped)',
  inProcess: "in the worker's thread (no isolation, bench only)",
};

export interface IsolationRound {
  round: number;
  mode: IsolationMode;
  usPerDelivery: number;
  cpuUsPerDelivery: number;
}

const workflow = 'bench-isolation';
const definition = workflowDefinitionSchema.parse({
  name: workflow,
  steps: [
    {
      id: 'summary',
      type: 'transform',
      expression: "{ 'document': payload.documentId, 'pages': payload.pages, 'words': $count($split(payload.text, ' ')) }",
    },
  ],
});
const payload = {
  event: 'document.extracted',
  documentId: 'doc_7f3a9c2e41b8',
  pages: 3,
  text: 'Invoice 2026-1142 from ACME Corp, total 1,280.00 EUR, due 2026-12-15.',
};

export async function measureIsolation(redis: RedisClient, keys: Keys, deliveriesPerRound: number, rounds: number, threads: number) {
  const log = createLogger({ name: 'bench-isolation', level: 'warn' });
  const deliveries = new DeliveryStore(redis, keys);
  const catalog = new WorkflowCatalog(redis, keys);
  await catalog.put(definition);
  const settings: RunSettings = {
    vars: {},
    llm: { baseUrl: undefined, apiKey: undefined, model: 'none', timeoutMs: 1_000 },
    egress: { allow: [], maxResponseBytes: 5_242_880 },
    logLevel: 'warn',
  };
  const executors: Record<IsolationMode, RunExecutor> = {
    thread: createRunPool({ settings, threads, memoryMb: 256, log }),
    inProcess: unsafeInProcessRuns(settings, builtinImplementations, log),
  };
  const processorFor = (runs: RunExecutor) =>
    createDeliveryProcessor({
      redis,
      keys,
      deliveries,
      webhooks: { find: async () => null },
      catalog,
      records: new RecordStore(redis, keys),
      outboundSecrets: new OutboundSecrets(redis, keys, undefined),
      builtins: builtinImplementations,
      runs,
      maxStepOutputBytes: 1_048_576,
      maxStalls: 2,
      defaultTimeoutMs: 60_000,
      log,
      now: () => new Date(),
    });
  const processors = { thread: processorFor(executors.thread), inProcess: processorFor(executors.inProcess) };

  /** `n` stored deliveries, each run through `mode`'s processor in turn (the job as BullMQ would hand it over). */
  const runDeliveries = async (mode: IsolationMode, n: number) => {
    const ids = Array.from({ length: n }, () => newId('dlv'));
    for (const id of ids) {
      await deliveries.create({
        id,
        webhookId: 'wh_bench_isolation',
        agentId: 'agt_bench',
        workflow,
        status: 'queued',
        receivedAt: new Date().toISOString(),
        dedupeKey: null,
        headers: {},
        payloadJson: JSON.stringify(payload),
        replayOf: null,
        queue: 'default',
      });
    }
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    for (const id of ids) {
      const job = { id, data: { deliveryId: id }, attemptsMade: 0, opts: { attempts: 1 }, timestamp: Date.now() } as unknown as Job;
      const settled = await processors[mode](job);
      if (settled.status !== 'succeeded') throw new Error(`bench delivery ${id} ended ${settled.status} (${mode})`);
    }
    const us = (performance.now() - start) * 1000;
    const cpu = process.cpuUsage(cpuBefore);
    return { usPerDelivery: Math.round(us / n), cpuUsPerDelivery: Math.round((cpu.user + cpu.system) / n) };
  };

  try {
    say(
      `bench: run isolation, ${rounds} alternating rounds of ${deliveriesPerRound} deliveries (one transform step) through the delivery processor, one at a time`,
    );
    // Warm-up: thread start, module loading and JIT are a worker's start-up cost, not a delivery's.
    for (const mode of isolationModes) await runDeliveries(mode, Math.min(100, deliveriesPerRound));
    const perRound: IsolationRound[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const mode of isolationModes) {
        const figures = await runDeliveries(mode, deliveriesPerRound);
        perRound.push({ round, mode, ...figures });
        say(
          `  round ${round} ${isolationLabels[mode].padEnd(50)} ${figures.usPerDelivery} µs/delivery  CPU ${figures.cpuUsPerDelivery} µs/delivery`,
        );
      }
    }
    return summarizeIsolation(deliveriesPerRound, perRound);
  } finally {
    await Promise.all(isolationModes.map((mode) => executors[mode].close()));
  }
}

/** Medians per mode, and what the thread adds over running in-process (difference and ratio of the medians). */
export function summarizeIsolation(deliveriesPerRound: number, rounds: IsolationRound[]) {
  const medianOf = (mode: IsolationMode, field: 'usPerDelivery' | 'cpuUsPerDelivery') =>
    median(rounds.filter((r) => r.mode === mode).map((r) => r[field]));
  const figures = (mode: IsolationMode) => ({
    usPerDelivery: medianOf(mode, 'usPerDelivery'),
    cpuUsPerDelivery: medianOf(mode, 'cpuUsPerDelivery'),
  });
  const thread = figures('thread');
  const inProcess = figures('inProcess');
  return {
    deliveriesPerRound,
    thread,
    inProcess,
    costUsPerDelivery: thread.usPerDelivery - inProcess.usPerDelivery,
    costCpuUsPerDelivery: thread.cpuUsPerDelivery - inProcess.cpuUsPerDelivery,
    ratio: ratio(thread.usPerDelivery, inProcess.usPerDelivery),
    cpuRatio: ratio(thread.cpuUsPerDelivery, inProcess.cpuUsPerDelivery),
    rounds,
  };
}

export type IsolationCost = ReturnType<typeof summarizeIsolation>;
