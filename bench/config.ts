import { resolve } from 'node:path';
import { z } from 'zod';
import { envFields, parseEnv } from '@hookflow/shared';

const flag = z
  .enum(['0', '1', 'true', 'false'])
  .default('0')
  .transform((v) => v === '1' || v === 'true');

// No zod default here: the default depends on BENCH_QUICK.
const count = (max: number) =>
  z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(max, `must be at most ${max}`);

const schema = z.object({
  REDIS_URL: envFields.redisUrl,
  /** Very short rounds, for the smoke test: checks the harness and the accounting, not the speed. */
  BENCH_QUICK: flag,
  /** Rounds per target (alternating ours, bare, naive). Default 5 (a median of 5 rides out one disturbed round better than of 3), quick 2. */
  BENCH_ROUNDS: count(50).optional(),
  /** Seconds per round. Default 5, quick 1. */
  BENCH_SECONDS: count(120).optional(),
  /** Deliveries per pipeline run. Default 5000, quick 300. */
  BENCH_PIPELINE_DELIVERIES: count(1_000_000).optional(),
  /**
   * Concurrency of every worker in the pipeline (Hookflow's and the no-op ones alike). Default 10, Hookflow's own
   * default (`WORKER_CONCURRENCY`), so the target is measured as shipped; other values show how the pipeline scales.
   */
  BENCH_WORKER_CONCURRENCY: count(1000).optional(),
  /** Requests to unknown webhook ids in the abuse phase (the heap is compared before and after). Default 100000, quick 10000. */
  BENCH_ABUSE_UNKNOWN_IDS: count(10_000_000).optional(),
  /** Where results.json goes. Default bench/results.json. */
  BENCH_RESULTS: z.string().min(1).optional(),
});

export interface BenchConfig {
  redisUrl: string;
  quick: boolean;
  rounds: number;
  roundSeconds: number;
  warmupSeconds: number;
  pipelineDeliveries: number;
  /** Deliveries per round of the run isolation phase (each mode). */
  isolationDeliveries: number;
  workerConcurrency: number;
  connections: number;
  abuseUnknownIds: number;
  resultsPath: string;
}

/** Reads the bench settings from `env`; quick mode shortens everything but keeps every phase. */
export function loadBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const parsed = parseEnv(schema, env);
  const quick = parsed.BENCH_QUICK;
  return {
    redisUrl: parsed.REDIS_URL,
    quick,
    rounds: parsed.BENCH_ROUNDS ?? (quick ? 2 : 5),
    roundSeconds: parsed.BENCH_SECONDS ?? (quick ? 1 : 5),
    warmupSeconds: quick ? 1 : 2,
    pipelineDeliveries: parsed.BENCH_PIPELINE_DELIVERIES ?? (quick ? 300 : 5000),
    isolationDeliveries: quick ? 100 : 1000,
    workerConcurrency: parsed.BENCH_WORKER_CONCURRENCY ?? 10,
    connections: 50,
    abuseUnknownIds: parsed.BENCH_ABUSE_UNKNOWN_IDS ?? (quick ? 10_000 : 100_000),
    resultsPath: resolve(parsed.BENCH_RESULTS ?? resolve(import.meta.dirname, 'results.json')),
  };
}
