/**
 * `npm run bench`: Hookflow's ingress against bare Express 5 and a hand-written naive handler (alternating rounds,
 * medians), the end-to-end pipeline against a no-op BullMQ worker, ingress RSS, and an accounting check that every
 * 202 became a `succeeded` delivery. Everything runs as separate processes on one Redis under a throwaway prefix.
 * Prints a table, writes bench/results.json, exits 1 if any acknowledged delivery was lost.
 */
import { cpus, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { catalogJob, createKeys, createRedis, QueueSet, waitUntilReady, webhookDefaults, type Keys } from '@hookflow/shared';
import { exitOnConfigError } from '@hookflow/shared/process';
import type { Queue } from 'bullmq';
import { adminClient } from '../test/support/client.js';
import { appEntry, freePort, spawnEntry, startStack, waitForHttp, type RunningProcess } from '../test/support/processes.js';
import { cleanupPrefix, testPrefix, testRedis } from '../test/support/redis.js';
import { loadBenchConfig, type BenchConfig } from './config.js';
import { benchPayload } from './payload.js';
import { runLoad, type LoadResult, type LoadTarget } from './load.js';
import { account } from './accounting.js';
import { cpuTimeMs, cpuUsPer, localRedisPid, ownCpuTimeMs, rssBytes, serverPid } from './proc-stats.js';
import { formatTable, median, ratio } from './stats.js';

const targetNames = ['hookflow', 'bare', 'naive'] as const;
type TargetName = (typeof targetNames)[number];
const labels: Record<TargetName, string> = { hookflow: 'hookflow ingress', bare: 'bare express 5', naive: 'naive handler' };

const ratioOrNull = (a: number | null, b: number | null) => (a === null || b === null ? null : ratio(a, b));
const say = (line: string) => process.stdout.write(`${line}\n`);

async function startTarget(entry: string, env: NodeJS.ProcessEnv): Promise<{ proc: RunningProcess; baseUrl: string; pid: number | null }> {
  const port = await freePort();
  const proc = spawnEntry(entry, { ...env, PORT: String(port) });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHttp(`${baseUrl}/healthz`, 30_000, proc);
  return { proc, baseUrl, pid: serverPid(proc.child.pid) };
}

/** Resolves once `queue` holds no job waiting, active or delayed, or when `timeoutMs` passes (returns false). */
async function waitForDrain(queue: Queue, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    if (Object.values(counts).every((n) => n === 0)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Seconds from `startMs` (epoch ms) until the last job of `queue` completed, read from BullMQ's completed set (scored
 * by finish time): the end of a pipeline run. Not when the load ended: autocannon's `amount` mode only returns on its
 * one-second tick, which would add up to a second to the runs fed over HTTP. Falls back to now when nothing completed.
 */
async function secondsUntilLastCompleted(redis: ReturnType<typeof testRedis>, queue: Queue, startMs: number): Promise<number> {
  const [, score] = await redis.zrevrange(queue.keys.completed!, 0, 0, 'WITHSCORES');
  const endMs = score !== undefined && Number(score) > startMs ? Number(score) : Date.now();
  return (endMs - startMs) / 1000;
}

const medianOrNull = (values: (number | null)[]) => {
  const known = values.filter((v): v is number => v !== null);
  return known.length > 0 ? median(known) : null;
};
const sumOrNull = (values: (number | null)[]) => (values.some((v) => v === null) ? null : (values as number[]).reduce((a, b) => a + b, 0));
const differenceOrNull = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

function summarize(results: LoadResult[]) {
  const cpuUsPerReq = medianOrNull(results.map((r) => r.cpuUsPerReq));
  const redisCpuUsPerReq = medianOrNull(results.map((r) => r.redisCpuUsPerReq));
  const clientCpuUsPerReq = medianOrNull(results.map((r) => r.clientCpuUsPerReq));
  return {
    cpuUsPerReq,
    redisCpuUsPerReq,
    clientCpuUsPerReq,
    /** Everything the machine spent on one request: server, Redis and load generator (they share the cores). */
    machineCpuUsPerReq: sumOrNull([cpuUsPerReq, redisCpuUsPerReq, clientCpuUsPerReq]),
    reqPerSec: Math.round(median(results.map((r) => r.reqPerSec))),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    errors: results.reduce((n, r) => n + r.errors, 0),
  };
}

const pipelineNames = ['hookflow', 'rawBullmq', 'naiveHttp'] as const;
type PipelineName = (typeof pipelineNames)[number];
const pipelineLabels: Record<PipelineName, string> = {
  hookflow: 'hookflow echo (202 → succeeded)',
  rawBullmq: 'raw BullMQ worker (no-op)',
  naiveHttp: 'naive handler → no-op worker (HTTP-fed)',
};

/** One pipeline run: deliveries/s, and the CPU each process spent per delivery (null: not measured or not part of it). */
interface PipelineRun {
  deliveriesPerSec: number;
  seconds: number;
  accepted: number;
  drained: boolean;
  workerCpuUsPerDelivery: number | null;
  /** Only for the runs fed over HTTP. */
  ingressCpuUsPerDelivery?: number | null;
  redisCpuUsPerDelivery: number | null;
  clientCpuUsPerDelivery: number | null;
  machineCpuUsPerDelivery: number | null;
}

/** CPU µs per delivery of each process of a run (the ingress only for runs fed over HTTP). */
interface RunCpu {
  workerCpu: number | null;
  ingressCpu?: number | null;
  redisCpu: number | null;
  clientCpu: number | null;
}

/** The CPU fields of a `PipelineRun`. An unmeasured process makes the machine's sum unknown; a run without an ingress adds nothing. */
function cpuFields({ workerCpu, ingressCpu, redisCpu, clientCpu }: RunCpu) {
  return {
    workerCpuUsPerDelivery: workerCpu,
    ...(ingressCpu !== undefined ? { ingressCpuUsPerDelivery: ingressCpu } : {}),
    redisCpuUsPerDelivery: redisCpu,
    clientCpuUsPerDelivery: clientCpu,
    machineCpuUsPerDelivery: sumOrNull([workerCpu, ingressCpu === undefined ? 0 : ingressCpu, redisCpu, clientCpu]),
  };
}

function pipelineRun(accepted: number, seconds: number, drained: boolean, cpu: RunCpu): PipelineRun {
  return { deliveriesPerSec: Math.round(accepted / seconds), seconds, accepted, drained, ...cpuFields(cpu) };
}

/** Medians of one pipeline's rounds; `accepted` is the total and `drained` holds only if every round drained. */
function summarizePipeline(runs: PipelineRun[]): PipelineRun {
  const medianOf = (field: (r: PipelineRun) => number | null | undefined) => medianOrNull(runs.map((r) => field(r) ?? null));
  return {
    deliveriesPerSec: Math.round(median(runs.map((r) => r.deliveriesPerSec))),
    seconds: median(runs.map((r) => r.seconds)),
    accepted: runs.reduce((n, r) => n + r.accepted, 0),
    drained: runs.every((r) => r.drained),
    ...cpuFields({
      workerCpu: medianOf((r) => r.workerCpuUsPerDelivery),
      ...(runs.some((r) => r.ingressCpuUsPerDelivery !== undefined) ? { ingressCpu: medianOf((r) => r.ingressCpuUsPerDelivery) } : {}),
      redisCpu: medianOf((r) => r.redisCpuUsPerDelivery),
      clientCpu: medianOf((r) => r.clientCpuUsPerDelivery),
    }),
  };
}

async function bench(config: BenchConfig, prefix: string, keys: Keys, stop: (() => Promise<unknown>)[]) {
  const redis = testRedis(config.redisUrl);
  stop.push(async () => redis.disconnect());
  const queues = new QueueSet(redis, keys);
  stop.push(() => queues.close());

  say(`bench: prefix ${prefix}; starting ingress, bare Express and naive handler processes`);
  // The bundles production runs (`npm run start:ingress` / `start:worker`), not the TypeScript sources. No worker runs
  // during the ingress rounds, so their deliveries pile up as a backlog: the backlog guard stays on (its cached count
  // is part of the path measured) with a limit the rounds cannot reach, instead of answering them 503.
  const stack = await startStack({ prefix, redisUrl: config.redisUrl, worker: false, built: true, env: { HOOKFLOW_MAX_BACKLOG: '1000000000' } });
  stop.push(() => stack.stop());
  const api = adminClient(stack.baseUrl, stack.adminToken);
  const { webhookId, keyFile } = await api.setupWebhook('echo');
  const payload = benchPayload(keyFile.privateKey);
  const targetEnv = { REDIS_URL: config.redisUrl, HOOKFLOW_REDIS_PREFIX: prefix, WORKER_CONCURRENCY: String(config.workerConcurrency) };
  const [bare, naive] = await Promise.all([
    startTarget('bench/targets/bare-express.ts', targetEnv),
    startTarget('bench/targets/naive-ingress.ts', { ...targetEnv, BENCH_SECRET: keyFile.privateKey, BENCH_QUEUE: 'naive' }),
  ]);
  stop.push(() => bare.proc.stop(), () => naive.proc.stop());

  const path = `/hooks/${webhookId}`;
  const ingressPid = serverPid(stack.ingress.child.pid);
  const redisPid = await localRedisPid(redis);
  const loadTargets: Record<TargetName, LoadTarget> = {
    hookflow: { url: `${stack.baseUrl}${path}`, pid: ingressPid, redisPid, ...payload },
    bare: { url: `${bare.baseUrl}${path}`, pid: bare.pid, redisPid, ...payload },
    naive: { url: `${naive.baseUrl}${path}`, pid: naive.pid, redisPid, ...payload },
  };
  // Every server's answers are parsed the same way (same client cost for all three); Hookflow's delivery ids are
  // kept, so the accounting can check each acknowledged delivery by id.
  let accepted = 0;
  const acceptedIds: string[] = [];
  const load = async (name: TargetName, options: Omit<Parameters<typeof runLoad>[1], 'onBody'>) => {
    const result = await runLoad(loadTargets[name], {
      ...options,
      onBody: (status, body) => {
        if (status < 200 || status >= 300) return;
        const { deliveryId } = JSON.parse(body) as { deliveryId?: unknown };
        if (name === 'hookflow') acceptedIds.push(typeof deliveryId === 'string' ? deliveryId : '');
      },
    });
    if (name === 'hookflow') accepted += result.accepted;
    return result;
  };

  say(`bench: warm-up ${config.warmupSeconds} s each`);
  for (const name of targetNames) await load(name, { connections: config.connections, seconds: config.warmupSeconds });

  const rounds: (LoadResult & { round: number; target: TargetName })[] = [];
  for (let round = 1; round <= config.rounds; round++) {
    for (const name of targetNames) {
      const result = await load(name, { connections: config.connections, seconds: config.roundSeconds });
      rounds.push({ round, target: name, ...result });
      say(`  round ${round} ${labels[name].padEnd(16)} ${Math.round(result.reqPerSec)} req/s  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  cpu ${result.cpuUsPerReq ?? 'n/a'} µs/req  non-2xx ${result.non2xx}  errors ${result.errors}`);
    }
  }
  const medians = Object.fromEntries(targetNames.map((name) => [name, summarize(rounds.filter((r) => r.target === name))])) as Record<TargetName, ReturnType<typeof summarize>>;

  // The worker starts only now, so it did not compete for the two cores with the ingress rounds; it first works off
  // the backlog those rounds left (timed too, as a drain rate).
  say(`bench: starting the worker; draining ${accepted} deliveries from the ingress rounds`);
  // Retention would delete the oldest finished records past 10 000 per webhook; the bench keeps them all to check each.
  const worker = spawnEntry(appEntry('worker', true), { ...stack.env, WORKER_CONCURRENCY: String(config.workerConcurrency), HOOKFLOW_RETENTION_COUNT: '10000000' });
  stop.push(() => worker.stop());
  await waitForHttp(`http://127.0.0.1:${stack.workerPort}/healthz`, 30_000, worker);
  const workerPid = serverPid(worker.child.pid);
  const queue = queues.get(webhookDefaults.queue);
  const backlog = accepted;
  const drainStart = performance.now();
  const drained = await waitForDrain(queue, Math.max(60_000, backlog * 5));
  const drainSeconds = (performance.now() - drainStart) / 1000;

  // CPU of every process the pipeline runs on, per delivery: they share the machine's cores.
  const cpuReadings = (pids: (number | null)[]) => [...pids.map((pid) => cpuTimeMs(pid)), ownCpuTimeMs()];
  const cpuPer = (before: (number | null)[], after: (number | null)[], n: number) => before.map((b, i) => cpuUsPer(b, after[i] ?? null, n));
  /** One pipeline run fed over HTTP: `config.pipelineDeliveries` requests to `target`, timed until `queue` drained. */
  const httpPipeline = async (target: TargetName, drainQueue: Queue, pids: { worker: number | null; ingress: number | null }): Promise<PipelineRun> => {
    const processes = [pids.worker, pids.ingress, redisPid];
    const cpuBefore = cpuReadings(processes);
    const startMs = Date.now();
    const { accepted: acceptedInRun } = await load(target, { connections: config.connections, amount: config.pipelineDeliveries });
    const drainedInRun = await waitForDrain(drainQueue, 120_000);
    const seconds = await secondsUntilLastCompleted(redis, drainQueue, startMs);
    const [workerCpu = null, ingressCpu = null, redisCpu = null, clientCpu = null] = cpuPer(cpuBefore, cpuReadings(processes), acceptedInRun);
    return pipelineRun(acceptedInRun, seconds, drainedInRun, { workerCpu, ingressCpu, redisCpu, clientCpu });
  };
  /** Adds jobs for raw BullMQ (by default one pipeline run's), as its producer does: `addBulk`, 100 at a time. */
  const addRawJobs = async (rawQueue: Queue, tag: string, total = config.pipelineDeliveries) => {
    for (let i = 0; i < total; i += 100) {
      const count = Math.min(100, total - i);
      await rawQueue.addBulk(
        Array.from({ length: count }, (_, j) => catalogJob('run-delivery', { deliveryId: `raw-${tag}-${i + j}` }, { attempts: webhookDefaults.attempts, jobId: `raw-${tag}-${i + j}` })),
      );
    }
  };
  /**
   * Raw BullMQ's inserts alone: four pipeline runs' worth of jobs into a queue no worker reads, for the Redis share of
   * its producer (its pipeline's Redis figure holds both the inserts and the worker's commands, and only the latter
   * belong to its worker side). Then those jobs are its backlog, for context next to Hookflow's backlog drain: a
   * no-op worker starts on the paused queue, and the drain is timed from the resume until its last job completed.
   */
  const rawInsertProbe = async (probeQueue: Queue) => {
    const jobs = config.pipelineDeliveries * 4;
    const redisBefore = cpuTimeMs(redisPid);
    await addRawJobs(probeQueue, 'probe', jobs);
    const rawInsertRedisCpuUsPerJob = cpuUsPer(redisBefore, cpuTimeMs(redisPid), jobs);
    await probeQueue.pause();
    const probeWorker = await startTarget('bench/targets/raw-worker.ts', { ...targetEnv, BENCH_QUEUE: probeQueue.name });
    stop.push(() => probeWorker.proc.stop());
    const startMs = Date.now();
    await probeQueue.resume();
    const drained = await waitForDrain(probeQueue, 120_000);
    const seconds = await secondsUntilLastCompleted(redis, probeQueue, startMs);
    await probeWorker.proc.stop();
    await probeQueue.obliterate({ force: true });
    return { rawInsertRedisCpuUsPerJob, rawBacklogDrain: { deliveries: jobs, seconds, deliveriesPerSec: Math.round(jobs / seconds), drained } };
  };
  /** One run of raw BullMQ: the bench adds the jobs and the no-op worker runs them. */
  const rawPipeline = async (round: number, rawQueue: Queue, workerPid: number | null): Promise<PipelineRun> => {
    const cpuBefore = cpuReadings([workerPid, redisPid]);
    const startMs = Date.now();
    await addRawJobs(rawQueue, String(round));
    const drainedInRun = await waitForDrain(rawQueue, 120_000);
    const seconds = await secondsUntilLastCompleted(redis, rawQueue, startMs);
    const [workerCpu = null, redisCpu = null, clientCpu = null] = cpuPer(cpuBefore, cpuReadings([workerPid, redisPid]), config.pipelineDeliveries);
    return pipelineRun(config.pipelineDeliveries, seconds, drainedInRun, { workerCpu, redisCpu, clientCpu });
  };

  // The three pipelines run in alternating rounds (hookflow, raw, hand-written, hookflow, ...), medians, as the ingress
  // rounds do: run one after the other once each, a burst of the host's neighbours during one of them moved the
  // ratio by a third (28 Nov 2026: every process's CPU per delivery rose 1.7 × in one run and not in the next).
  // Every worker stays up for all the rounds; an idle BullMQ worker waits in a blocking read and costs no CPU.
  const raw = await startTarget('bench/targets/raw-worker.ts', { ...targetEnv, BENCH_QUEUE: 'raw' });
  stop.push(() => raw.proc.stop());
  // The hand-written pipeline's queue still holds the jobs of the ingress rounds, which no worker ran: they are
  // dropped first so its no-op worker only times the pipeline's jobs.
  const naiveQueue = queues.get('naive');
  await naiveQueue.drain(true);
  const naiveWorker = await startTarget('bench/targets/raw-worker.ts', { ...targetEnv, BENCH_QUEUE: 'naive' });
  stop.push(() => naiveWorker.proc.stop());
  const pipelineRounds: (PipelineRun & { round: number; run: PipelineName })[] = [];
  say(`bench: pipeline, ${config.rounds} alternating rounds of ${config.pipelineDeliveries} deliveries: ingress → worker (echo), a no-op BullMQ worker fed by addBulk, the naive handler → a no-op worker`);
  for (let round = 1; round <= config.rounds; round++) {
    const runs: Record<PipelineName, () => Promise<PipelineRun>> = {
      hookflow: () => httpPipeline('hookflow', queue, { worker: workerPid, ingress: ingressPid }),
      rawBullmq: () => rawPipeline(round, queues.get('raw'), raw.pid),
      naiveHttp: () => httpPipeline('naive', naiveQueue, { worker: naiveWorker.pid, ingress: naive.pid }),
    };
    for (const name of pipelineNames) {
      const run = await runs[name]();
      pipelineRounds.push({ round, run: name, ...run });
      say(`  round ${round} ${pipelineLabels[name].padEnd(40)} ${run.deliveriesPerSec} deliveries/s  machine ${run.machineCpuUsPerDelivery ?? 'n/a'} CPU µs/delivery`);
    }
  }
  await Promise.all([raw.proc.stop(), naiveWorker.proc.stop()]);
  const { rawInsertRedisCpuUsPerJob, rawBacklogDrain } = await rawInsertProbe(queues.get('raw-insert-probe'));

  const ingressRss = rssBytes(ingressPid);
  const accounting = await account(redis, keys, webhookId, accepted, acceptedIds);

  const pipelineOf = (name: PipelineName) => summarizePipeline(pipelineRounds.filter((r) => r.run === name));
  const pipeline = {
    deliveries: config.pipelineDeliveries,
    workerConcurrency: config.workerConcurrency,
    hookflow: pipelineOf('hookflow'),
    rawBullmq: pipelineOf('rawBullmq'),
    /** CPU µs Redis spends inserting one of raw BullMQ's jobs (`addBulk` of 100, no worker reading), measured once. */
    rawInsertRedisCpuUsPerJob,
    naiveHttp: pipelineOf('naiveHttp'),
    rounds: pipelineRounds,
    backlogDrain: { deliveries: backlog, seconds: drainSeconds, deliveriesPerSec: Math.round(backlog / drainSeconds), drained },
    rawBacklogDrain,
  };
  return { rounds, medians, pipeline, rssBytes: ingressRss, accounting, payloadBytes: Buffer.byteLength(payload.body) };
}

/**
 * Hookflow's figure over the baseline's in the same round (the two runs are seconds apart), median and range over
 * the rounds: how far the host moved the ratio within this run. The targets use the ratio of the medians.
 */
function perRoundRatios<R extends { round: number }>(rounds: R[], nameOf: (r: R) => string, valueOf: (r: R) => number, baseline: string) {
  const ratios = rounds
    .filter((r) => nameOf(r) === 'hookflow')
    .map((ours) => {
      const theirs = rounds.find((r) => r.round === ours.round && nameOf(r) === baseline);
      return theirs ? ratio(valueOf(ours), valueOf(theirs)) : null;
    })
    .filter((v): v is number => v !== null && Number.isFinite(v));
  return { median: ratios.length > 0 ? median(ratios) : null, min: ratios.length > 0 ? Math.min(...ratios) : null, max: ratios.length > 0 ? Math.max(...ratios) : null };
}

/** A row of the pipeline table; the ingress cell is empty for the run without one (raw BullMQ's). */
function pipelineRow(label: string, run: PipelineRun, vsRaw: number): (string | number)[] {
  const cpu = (value: number | null | undefined) => value ?? 'n/a';
  return [
    label,
    run.deliveriesPerSec,
    run.seconds.toFixed(2),
    vsRaw.toFixed(2),
    cpu(run.workerCpuUsPerDelivery),
    run.ingressCpuUsPerDelivery === undefined ? '' : cpu(run.ingressCpuUsPerDelivery),
    cpu(run.redisCpuUsPerDelivery),
    cpu(run.clientCpuUsPerDelivery),
    cpu(run.machineCpuUsPerDelivery),
  ];
}

/**
 * What the pipeline's CPU per delivery allows, as arithmetic on the measured figures: how many cores each pipeline
 * kept busy, and the ratio to raw BullMQ's measured deliveries/s that Hookflow would reach with every core busy, at
 * its own CPU per delivery and at its HTTP side plus raw BullMQ's (no-op) worker side. When the second is below a
 * target, no worker behind this ingress could meet it on this machine.
 */
function pipelineBounds(pipeline: Record<PipelineName, PipelineRun>, split: { hookflowIngestSideUs: number | null; rawWorkerSideUs: number | null }, cores: number) {
  const coresBusy = (run: PipelineRun) => (run.machineCpuUsPerDelivery === null ? null : Math.round((run.deliveriesPerSec * run.machineCpuUsPerDelivery) / 1e4) / 100);
  const vsRawAtAllCores = (cpuUsPerDelivery: number | null) => (cpuUsPerDelivery === null ? null : ratio((cores * 1e6) / cpuUsPerDelivery, pipeline.rawBullmq.deliveriesPerSec));
  return {
    coresBusy: { hookflow: coresBusy(pipeline.hookflow), rawBullmq: coresBusy(pipeline.rawBullmq), naiveHttp: coresBusy(pipeline.naiveHttp) },
    hookflowAllCoresVsRaw: vsRawAtAllCores(pipeline.hookflow.machineCpuUsPerDelivery),
    noOpWorkerSideAllCoresVsRaw: vsRawAtAllCores(sumOrNull([split.hookflowIngestSideUs, split.rawWorkerSideUs])),
  };
}

function report(config: BenchConfig, result: Awaited<ReturnType<typeof bench>>, startedAt: Date) {
  const { medians, pipeline, rssBytes, accounting } = result;
  const ingressRound = [(r: { target: TargetName }) => r.target, (r: { reqPerSec: number }) => r.reqPerSec] as const;
  const perRound = { vsBare: perRoundRatios(result.rounds, ...ingressRound, 'bare'), vsNaive: perRoundRatios(result.rounds, ...ingressRound, 'naive') };
  const pipelineRound = [(r: { run: PipelineName }) => r.run, (r: { deliveriesPerSec: number }) => r.deliveriesPerSec] as const;
  const pipelinePerRound = { vsRaw: perRoundRatios(pipeline.rounds, ...pipelineRound, 'rawBullmq'), vsNaiveHttp: perRoundRatios(pipeline.rounds, ...pipelineRound, 'naiveHttp') };
  const ratios = {
    reqPerSecVsBare: ratio(medians.hookflow.reqPerSec, medians.bare.reqPerSec),
    reqPerSecVsNaive: ratio(medians.hookflow.reqPerSec, medians.naive.reqPerSec),
    p99VsBare: ratio(medians.hookflow.p99Ms, medians.bare.p99Ms),
    // CPU spent per request, inverted: the throughput ratio the processes would reach with a core each, which
    // neighbours on a shared machine distort far less than req/s.
    cpuEfficiencyVsBare: ratioOrNull(medians.bare.cpuUsPerReq, medians.hookflow.cpuUsPerReq),
    cpuEfficiencyVsNaive: ratioOrNull(medians.naive.cpuUsPerReq, medians.hookflow.cpuUsPerReq),
    pipelineVsRaw: ratio(pipeline.hookflow.deliveriesPerSec, pipeline.rawBullmq.deliveriesPerSec),
    pipelineVsNaiveHttp: ratio(pipeline.hookflow.deliveriesPerSec, pipeline.naiveHttp.deliveriesPerSec),
    backlogDrainVsRaw: ratio(pipeline.backlogDrain.deliveriesPerSec, pipeline.rawBacklogDrain.deliveriesPerSec),
  };
  // Where the pipeline's CPU goes, per delivery. Hookflow's worker side is the worker plus the Redis work beyond the
  // ingest (the ingest's share is what Redis spent per request in the ingress rounds); raw BullMQ's worker side is its
  // worker plus the Redis work beyond the inserts (measured by the insert probe), and its producer side the bench
  // process plus the inserts' Redis work.
  const ours = pipeline.hookflow;
  const theirs = pipeline.rawBullmq;
  const split = {
    hookflowWorkerSideUs: sumOrNull([ours.workerCpuUsPerDelivery, differenceOrNull(ours.redisCpuUsPerDelivery, medians.hookflow.redisCpuUsPerReq)]),
    hookflowIngestSideUs: sumOrNull([ours.ingressCpuUsPerDelivery ?? null, medians.hookflow.redisCpuUsPerReq, ours.clientCpuUsPerDelivery]),
    rawWorkerSideUs: sumOrNull([theirs.workerCpuUsPerDelivery, differenceOrNull(theirs.redisCpuUsPerDelivery, pipeline.rawInsertRedisCpuUsPerJob)]),
    rawProducerUs: sumOrNull([theirs.clientCpuUsPerDelivery, pipeline.rawInsertRedisCpuUsPerJob]),
  };
  const bounds = pipelineBounds(pipeline, split, cpus().length);
  const rssMb = rssBytes === null ? null : Math.round(rssBytes / 1024 / 1024);
  const targets = {
    reqPerSecVsBare: { want: '>= 0.85', measured: ratios.reqPerSecVsBare, met: ratios.reqPerSecVsBare >= 0.85 },
    reqPerSecVsNaive: { want: '>= 1.5', measured: ratios.reqPerSecVsNaive, met: ratios.reqPerSecVsNaive >= 1.5 },
    p99VsBare: { want: '<= 2', measured: ratios.p99VsBare, met: ratios.p99VsBare <= 2 },
    zeroNon2xx: { want: '0', measured: medians.hookflow.non2xx + medians.hookflow.errors, met: medians.hookflow.non2xx + medians.hookflow.errors === 0 },
    pipelineVsRaw: { want: '>= 0.7', measured: ratios.pipelineVsRaw, met: ratios.pipelineVsRaw >= 0.7 },
    ingressRssMb: { want: '<= 200', measured: rssMb, met: rssMb !== null && rssMb <= 200 },
  };
  const machine = { nproc: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 1024 ** 3), node: process.version, platform: process.platform };
  const ok = accounting.lost === 0;
  const json = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    quick: config.quick,
    machine,
    settings: { connections: config.connections, rounds: config.rounds, roundSeconds: config.roundSeconds, payloadBytes: result.payloadBytes, signing: 'one pre-signed body (server verifies every request)' },
    ingress: {
      medians,
      ratios: {
        reqPerSecVsBare: ratios.reqPerSecVsBare,
        reqPerSecVsNaive: ratios.reqPerSecVsNaive,
        p99VsBare: ratios.p99VsBare,
        cpuEfficiencyVsBare: ratios.cpuEfficiencyVsBare,
        cpuEfficiencyVsNaive: ratios.cpuEfficiencyVsNaive,
      },
      perRoundRatios: perRound,
      rounds: result.rounds,
    },
    pipeline: { ...pipeline, ratioVsRaw: ratios.pipelineVsRaw, ratioVsNaiveHttp: ratios.pipelineVsNaiveHttp, backlogDrainVsRaw: ratios.backlogDrainVsRaw, perRoundRatios: pipelinePerRound, cpuSplitUsPerDelivery: split, bounds },
    ingressRssBytes: rssBytes,
    targets,
    accounting,
    ok,
  };
  mkdirSync(dirname(config.resultsPath), { recursive: true });
  writeFileSync(config.resultsPath, `${JSON.stringify(json, null, 2)}\n`);

  const row = (name: TargetName) => {
    const m = medians[name];
    return [
      labels[name],
      m.reqPerSec,
      m.p50Ms,
      m.p99Ms,
      m.non2xx,
      m.errors,
      ratio(m.reqPerSec, medians.bare.reqPerSec).toFixed(2),
      ratio(m.reqPerSec, medians.naive.reqPerSec).toFixed(2),
      m.cpuUsPerReq ?? 'n/a',
      m.redisCpuUsPerReq ?? 'n/a',
      m.clientCpuUsPerReq ?? 'n/a',
      m.machineCpuUsPerReq ?? 'n/a',
    ];
  };
  say('');
  say(`Ingress: POST /hooks/:id, ${config.connections} connections, ${result.payloadBytes}-byte signed body, ${config.rounds} alternating rounds × ${config.roundSeconds} s, medians`);
  say(formatTable(['target', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', '× bare', '× naive', 'server CPU µs/req', 'Redis', 'load gen', 'machine'], targetNames.map(row)));
  say(`CPU per request, inverted (throughput with a core each): ${ratios.cpuEfficiencyVsBare ?? 'n/a'} × bare, ${ratios.cpuEfficiencyVsNaive ?? 'n/a'} × naive`);
  const round3 = (v: number | null) => (v === null ? 'n/a' : String(Math.round(v * 1000) / 1000));
  const spread = (r: ReturnType<typeof perRoundRatios>) => `${round3(r.median)} (${round3(r.min)}–${round3(r.max)})`;
  say(`Per round (hookflow ÷ the baseline's run of the same round), median (range): ${spread(perRound.vsBare)} × bare, ${spread(perRound.vsNaive)} × naive`);
  say('"machine" is server + Redis + load generator: what one request costs the cores they all share.');
  say('');
  say(`Pipeline: ${pipeline.deliveries} deliveries per run, worker concurrency ${pipeline.workerConcurrency}, ${config.rounds} alternating rounds, medians`);
  say(
    formatTable(
      ['run', 'deliveries/s', 'seconds', '× raw', 'worker CPU µs/delivery', 'ingress', 'Redis', 'load gen', 'machine'],
      [
        pipelineRow(pipelineLabels.hookflow, pipeline.hookflow, ratios.pipelineVsRaw),
        pipelineRow(pipelineLabels.rawBullmq, pipeline.rawBullmq, 1),
        pipelineRow(pipelineLabels.naiveHttp, pipeline.naiveHttp, ratio(pipeline.naiveHttp.deliveriesPerSec, pipeline.rawBullmq.deliveriesPerSec)),
        ['hookflow backlog drain (worker only)', pipeline.backlogDrain.deliveriesPerSec, pipeline.backlogDrain.seconds.toFixed(2), '', '', '', '', '', ''],
        ['raw BullMQ backlog drain (no-op worker only)', pipeline.rawBacklogDrain.deliveriesPerSec, pipeline.rawBacklogDrain.seconds.toFixed(2), '', '', '', '', '', ''],
      ],
    ),
  );
  say(
    `CPU per delivery: hookflow ${split.hookflowIngestSideUs ?? 'n/a'} µs on the HTTP side (ingress, its Redis writes, load generator) + ` +
      `${split.hookflowWorkerSideUs ?? 'n/a'} µs on the worker side (worker, its Redis work); raw BullMQ ${split.rawWorkerSideUs ?? 'n/a'} µs worker side (worker, its Redis work beyond the inserts) + ${split.rawProducerUs ?? 'n/a'} µs producer (the bench, the inserts' Redis work)`,
  );
  const orNa = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2));
  say(
    `Cores kept busy: hookflow ${orNa(bounds.coresBusy.hookflow)}, raw BullMQ ${orNa(bounds.coresBusy.rawBullmq)}, hand-written ${orNa(bounds.coresBusy.naiveHttp)} of ${machine.nproc}. ` +
      `CPU bounds (arithmetic, not measured): with all ${machine.nproc} cores busy, hookflow's pipeline would reach ${orNa(bounds.hookflowAllCoresVsRaw)} × raw; ` +
      `its HTTP side feeding a worker side as cheap as raw BullMQ's no-op one, ${orNa(bounds.noOpWorkerSideAllCoresVsRaw)} ×`,
  );
  say(`Per round (hookflow ÷ the baseline's run of the same round), median (range): ${spread(pipelinePerRound.vsRaw)} × raw, ${spread(pipelinePerRound.vsNaiveHttp)} × the HTTP-fed hand-written pipeline`);
  say(`Not a target, for context: hookflow's pipeline is ${ratios.pipelineVsNaiveHttp.toFixed(2)} × the hand-written one fed by the same HTTP load (naive handler → no-op worker).`);
  say(`Not a target, for context: with no HTTP in front, hookflow's worker drains a backlog at ${ratios.backlogDrainVsRaw.toFixed(2)} × raw BullMQ's no-op worker.`);
  say('');
  say(`Ingress RSS after the run: ${rssMb ?? 'n/a'} MB`);
  say(formatTable(['target', 'want', 'measured', 'met'], Object.entries(targets).map(([name, t]) => [name, t.want, String(t.measured), t.met ? 'yes' : 'NO'])));
  say('');
  say(`Accounting: accepted ${accounting.accepted} (ids checked one by one: ${accounting.idsChecked}), stored ${accounting.stored}, succeeded ${accounting.succeeded}, lost ${accounting.lost}`);
  say(`Machine: ${machine.nproc} × ${machine.cpu}, ${machine.memoryGb} GB, Node ${machine.node}. Results: ${config.resultsPath}`);
  return ok;
}

const config = exitOnConfigError('bench', () => loadBenchConfig());
// Fail fast, in one line, when Redis is not there (the harness's own connections would wait for it forever).
const probe = createRedis(config.redisUrl, 'producer');
try {
  await waitUntilReady(probe, config.redisUrl, 3_000);
} catch (err) {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exit(1);
} finally {
  probe.disconnect();
}
const prefix = testPrefix('bench');
const keys = createKeys(prefix);
const stop: (() => Promise<unknown>)[] = [];
const startedAt = new Date();
let ok = false;
try {
  ok = report(config, await bench(config, prefix, keys, stop), startedAt);
  if (!ok) say('bench: FAILED, acknowledged deliveries were lost');
} catch (err) {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
} finally {
  for (const fn of stop.reverse()) await fn().catch(() => {});
  const redis = testRedis(config.redisUrl);
  await cleanupPrefix(redis, prefix).catch((err: Error) => process.stderr.write(`bench: cleanup of ${prefix} failed: ${err.message}\n`));
  redis.disconnect();
}
process.exit(ok ? 0 : 1);
