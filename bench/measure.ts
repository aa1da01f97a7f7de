/**
 * The measuring phases of `npm run bench` (see run.ts): the ingress rounds, the backlog drain, the pipeline rounds,
 * the insert probe, the run isolation's cost, the abuse phase (abuse.ts), the ingress's RSS and the accounting. Every
 * process it starts is added to `stop`.
 */
import { catalogJob, QueueSet, webhookDefaults, type Keys } from '@hookflow/shared';
import type { Queue } from 'bullmq';
import { adminClient } from '../test/support/client.js';
import { appEntry, freePort, spawnEntry, startStack, waitForHttp, type RunningProcess } from '../test/support/processes.js';
import { testRedis } from '../test/support/redis.js';
import type { BenchConfig } from './config.js';
import { benchPayload } from './payload.js';
import { runLoad, type LoadResult, type LoadTarget } from './load.js';
import { account } from './accounting.js';
import { cpuTimeMs, cpuUsPer, localRedisPid, ownCpuTimeMs, rssBytes, serverPid } from './proc-stats.js';
import { labels, summarize, targetNames, type TargetName } from './ingress-figures.js';
import { pipelineLabels, pipelineNames, pipelineRun, summarizePipeline, type PipelineName, type PipelineRun } from './pipeline-run.js';
import { say } from './stats.js';
import { waitForDrain } from './queue-drain.js';
import { measureAbuse } from './abuse.js';
import { measureIsolation } from './isolation-cost.js';
import { measureKeys } from './keys.js';

export type BenchResult = Awaited<ReturnType<typeof bench>>;

async function startTarget(entry: string, env: NodeJS.ProcessEnv): Promise<{ proc: RunningProcess; baseUrl: string; pid: number | null }> {
  const port = await freePort();
  const proc = spawnEntry(entry, { ...env, PORT: String(port) });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHttp(`${baseUrl}/healthz`, 30_000, proc);
  return { proc, baseUrl, pid: serverPid(proc.child.pid) };
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

export async function bench(config: BenchConfig, prefix: string, keys: Keys, stop: (() => Promise<unknown>)[]) {
  const redis = testRedis(config.redisUrl);
  stop.push(async () => redis.disconnect());
  const queues = new QueueSet(redis, keys);
  stop.push(() => queues.close());

  say(`bench: prefix ${prefix}; starting ingress, bare Express and naive handler processes`);
  // The bundles production runs (`npm run start:ingress` / `start:worker`), not the TypeScript sources. No worker runs
  // during the ingress rounds, so their deliveries pile up as a backlog: the backlog guard stays on (its cached count
  // is part of the path measured) with a limit the rounds cannot reach, instead of answering them 503.
  const stack = await startStack({
    prefix,
    redisUrl: config.redisUrl,
    worker: false,
    built: true,
    env: { HOOKFLOW_MAX_BACKLOG: '1000000000' },
  });
  stop.push(() => stack.stop());
  const api = adminClient(stack.baseUrl, stack.adminToken);
  const { webhookId, keyFile } = await api.setupWebhook('echo');
  const payload = benchPayload(keyFile.privateKey);
  const targetEnv = { REDIS_URL: config.redisUrl, HOOKFLOW_REDIS_PREFIX: prefix, WORKER_CONCURRENCY: String(config.workerConcurrency) };
  const [bare, naive] = await Promise.all([
    startTarget('bench/targets/bare-express.ts', targetEnv),
    startTarget('bench/targets/naive-ingress.ts', { ...targetEnv, BENCH_SECRET: keyFile.privateKey, BENCH_QUEUE: 'naive' }),
  ]);
  stop.push(
    () => bare.proc.stop(),
    () => naive.proc.stop(),
  );

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
      say(
        `  round ${round} ${labels[name].padEnd(16)} ${Math.round(result.reqPerSec)} req/s  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  cpu ${result.cpuUsPerReq ?? 'n/a'} µs/req  non-2xx ${result.non2xx}  errors ${result.errors}`,
      );
    }
  }
  const medians = Object.fromEntries(targetNames.map((name) => [name, summarize(rounds.filter((r) => r.target === name))])) as Record<
    TargetName,
    ReturnType<typeof summarize>
  >;

  // The worker starts only now, so it did not compete for the two cores with the ingress rounds; it first works off
  // the backlog those rounds left (timed too, as a drain rate).
  say(`bench: starting the worker; draining ${accepted} deliveries from the ingress rounds`);
  // Retention would delete the oldest finished records past 10 000 per webhook; the bench keeps them all to check each.
  const worker = spawnEntry(appEntry('worker', true), {
    ...stack.env,
    WORKER_CONCURRENCY: String(config.workerConcurrency),
    HOOKFLOW_RETENTION_COUNT: '10000000',
  });
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
  const httpPipeline = async (
    target: TargetName,
    drainQueue: Queue,
    pids: { worker: number | null; ingress: number | null },
  ): Promise<PipelineRun> => {
    const processes = [pids.worker, pids.ingress, redisPid];
    const cpuBefore = cpuReadings(processes);
    const startMs = Date.now();
    const { accepted: acceptedInRun } = await load(target, { connections: config.connections, amount: config.pipelineDeliveries });
    const drainedInRun = await waitForDrain(drainQueue, 120_000);
    const seconds = await secondsUntilLastCompleted(redis, drainQueue, startMs);
    const [workerCpu = null, ingressCpu = null, redisCpu = null, clientCpu = null] = cpuPer(
      cpuBefore,
      cpuReadings(processes),
      acceptedInRun,
    );
    return pipelineRun(acceptedInRun, seconds, drainedInRun, { workerCpu, ingressCpu, redisCpu, clientCpu });
  };
  /** Adds jobs for raw BullMQ (by default one pipeline run's), as its producer does: `addBulk`, 100 at a time. */
  const addRawJobs = async (rawQueue: Queue, tag: string, total = config.pipelineDeliveries) => {
    for (let i = 0; i < total; i += 100) {
      const count = Math.min(100, total - i);
      await rawQueue.addBulk(
        Array.from({ length: count }, (_, j) =>
          catalogJob(
            'run-delivery',
            { deliveryId: `raw-${tag}-${i + j}` },
            { attempts: webhookDefaults.attempts, jobId: `raw-${tag}-${i + j}` },
          ),
        ),
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
    return {
      rawInsertRedisCpuUsPerJob,
      rawBacklogDrain: { deliveries: jobs, seconds, deliveriesPerSec: Math.round(jobs / seconds), drained },
    };
  };
  /** One run of raw BullMQ: the bench adds the jobs and the no-op worker runs them. */
  const rawPipeline = async (round: number, rawQueue: Queue, workerPid: number | null): Promise<PipelineRun> => {
    const cpuBefore = cpuReadings([workerPid, redisPid]);
    const startMs = Date.now();
    await addRawJobs(rawQueue, String(round));
    const drainedInRun = await waitForDrain(rawQueue, 120_000);
    const seconds = await secondsUntilLastCompleted(redis, rawQueue, startMs);
    const [workerCpu = null, redisCpu = null, clientCpu = null] = cpuPer(
      cpuBefore,
      cpuReadings([workerPid, redisPid]),
      config.pipelineDeliveries,
    );
    return pipelineRun(config.pipelineDeliveries, seconds, drainedInRun, { workerCpu, redisCpu, clientCpu });
  };

  // The three pipelines run in alternating rounds (hookflow, raw, hand-written, hookflow, ...), medians, as the ingress
  // rounds do: run one after the other once each, a burst of the host's neighbours during one of them would move the
  // ratio as much as anything the pipelines differ in.
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
  say(
    `bench: pipeline, ${config.rounds} alternating rounds of ${config.pipelineDeliveries} deliveries: ingress → worker (echo), a no-op BullMQ worker fed by addBulk, the naive handler → a no-op worker`,
  );
  for (let round = 1; round <= config.rounds; round++) {
    const runs: Record<PipelineName, () => Promise<PipelineRun>> = {
      hookflow: () => httpPipeline('hookflow', queue, { worker: workerPid, ingress: ingressPid }),
      rawBullmq: () => rawPipeline(round, queues.get('raw'), raw.pid),
      naiveHttp: () => httpPipeline('naive', naiveQueue, { worker: naiveWorker.pid, ingress: naive.pid }),
    };
    for (const name of pipelineNames) {
      const run = await runs[name]();
      pipelineRounds.push({ round, run: name, ...run });
      say(
        `  round ${round} ${pipelineLabels[name].padEnd(40)} ${run.deliveriesPerSec} deliveries/s  machine ${run.machineCpuUsPerDelivery ?? 'n/a'} CPU µs/delivery`,
      );
    }
  }
  await Promise.all([raw.proc.stop(), naiveWorker.proc.stop()]);
  const { rawInsertRedisCpuUsPerJob, rawBacklogDrain } = await rawInsertProbe(queues.get('raw-insert-probe'));
  const keysPhase = await measureKeys(config, {
    api,
    baseUrl: stack.baseUrl,
    queue,
    ingressPid,
    redisPid,
    secondsUntilLastCompleted: (q, startMs) => secondsUntilLastCompleted(redis, q, startMs),
  });

  // Last, when the other processes are idle: it runs in this process, on the same cores.
  const isolation = await measureIsolation(redis, keys, config.isolationDeliveries, config.rounds, config.workerConcurrency);

  const abuse = await measureAbuse(config, stack, webhookId, stop);

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
  return {
    rounds,
    medians,
    pipeline,
    keys: keysPhase,
    isolation,
    abuse,
    rssBytes: ingressRss,
    accounting,
    payloadBytes: Buffer.byteLength(payload.body),
  };
}
