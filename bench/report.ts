import { cpus, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BenchConfig } from './config.js';
import type { BenchResult } from './measure.js';
import { labels, targetNames, type TargetName } from './ingress-figures.js';
import { isolationLabels, isolationModes } from './isolation-cost.js';
import { pipelineBounds, pipelineLabels, type PipelineName, type PipelineRun } from './pipeline-run.js';
import { differenceOrNull, formatTable, median, ratio, ratioOrNull, say, sumOrNull } from './stats.js';

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
  return {
    median: ratios.length > 0 ? median(ratios) : null,
    min: ratios.length > 0 ? Math.min(...ratios) : null,
    max: ratios.length > 0 ? Math.max(...ratios) : null,
  };
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

/** Computes the ratios, targets and CPU split, writes bench/results.json and prints the tables; true if nothing was lost. */
export function report(config: BenchConfig, result: BenchResult, startedAt: Date) {
  const { medians, pipeline, keys, isolation, abuse, rssBytes, accounting } = result;
  const ingressRound = [(r: { target: TargetName }) => r.target, (r: { reqPerSec: number }) => r.reqPerSec] as const;
  const perRound = {
    vsBare: perRoundRatios(result.rounds, ...ingressRound, 'bare'),
    vsNaive: perRoundRatios(result.rounds, ...ingressRound, 'naive'),
  };
  const pipelineRound = [(r: { run: PipelineName }) => r.run, (r: { deliveriesPerSec: number }) => r.deliveriesPerSec] as const;
  const pipelinePerRound = {
    vsRaw: perRoundRatios(pipeline.rounds, ...pipelineRound, 'rawBullmq'),
    vsNaiveHttp: perRoundRatios(pipeline.rounds, ...pipelineRound, 'naiveHttp'),
  };
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
    hookflowWorkerSideUs: sumOrNull([
      ours.workerCpuUsPerDelivery,
      differenceOrNull(ours.redisCpuUsPerDelivery, medians.hookflow.redisCpuUsPerReq),
    ]),
    hookflowIngestSideUs: sumOrNull([ours.ingressCpuUsPerDelivery ?? null, medians.hookflow.redisCpuUsPerReq, ours.clientCpuUsPerDelivery]),
    rawWorkerSideUs: sumOrNull([
      theirs.workerCpuUsPerDelivery,
      differenceOrNull(theirs.redisCpuUsPerDelivery, pipeline.rawInsertRedisCpuUsPerJob),
    ]),
    rawProducerUs: sumOrNull([theirs.clientCpuUsPerDelivery, pipeline.rawInsertRedisCpuUsPerJob]),
  };
  const bounds = pipelineBounds(pipeline, split, cpus().length);
  const rssMb = rssBytes === null ? null : Math.round(rssBytes / 1024 / 1024);
  const targets = {
    reqPerSecVsBare: { want: '>= 0.85', measured: ratios.reqPerSecVsBare, met: ratios.reqPerSecVsBare >= 0.85 },
    reqPerSecVsNaive: { want: '>= 1.5', measured: ratios.reqPerSecVsNaive, met: ratios.reqPerSecVsNaive >= 1.5 },
    p99VsBare: { want: '<= 2', measured: ratios.p99VsBare, met: ratios.p99VsBare <= 2 },
    zeroNon2xx: {
      want: '0',
      measured: medians.hookflow.non2xx + medians.hookflow.errors,
      met: medians.hookflow.non2xx + medians.hookflow.errors === 0,
    },
    pipelineVsRaw: { want: '>= 0.7', measured: ratios.pipelineVsRaw, met: ratios.pipelineVsRaw >= 0.7 },
    keyedVsUnkeyed: { want: '>= 0.8', measured: keys.ratio, met: keys.ratio >= 0.8 },
    ingressRssMb: { want: '<= 200', measured: rssMb, met: rssMb !== null && rssMb <= 200 },
    abuseCpuJsonVsNonJson: { want: '<= 2', measured: abuse.jsonVsNonJson, met: abuse.jsonVsNonJson !== null && abuse.jsonVsNonJson <= 2 },
    abuseHeapGrowthMb: { want: '< 10', measured: abuse.heapGrowthMb, met: abuse.heapGrowthMb !== null && abuse.heapGrowthMb < 10 },
  };
  const machine = {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    platform: process.platform,
  };
  const ok = accounting.lost === 0;
  const json = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    quick: config.quick,
    machine,
    settings: {
      connections: config.connections,
      rounds: config.rounds,
      roundSeconds: config.roundSeconds,
      payloadBytes: result.payloadBytes,
      signing: 'one pre-signed body (server verifies every request)',
    },
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
    isolation,
    pipeline: {
      ...pipeline,
      ratioVsRaw: ratios.pipelineVsRaw,
      ratioVsNaiveHttp: ratios.pipelineVsNaiveHttp,
      backlogDrainVsRaw: ratios.backlogDrainVsRaw,
      perRoundRatios: pipelinePerRound,
      cpuSplitUsPerDelivery: split,
      bounds,
    },
    keys,
    abuse,
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
  say(
    `Ingress: POST /hooks/:id, ${config.connections} connections, ${result.payloadBytes}-byte signed body, ${config.rounds} alternating rounds × ${config.roundSeconds} s, medians`,
  );
  say(
    formatTable(
      [
        'target',
        'req/s',
        'p50 ms',
        'p99 ms',
        'non-2xx',
        'errors',
        '× bare',
        '× naive',
        'server CPU µs/req',
        'Redis',
        'load gen',
        'machine',
      ],
      targetNames.map(row),
    ),
  );
  say(
    `CPU per request, inverted (throughput with a core each): ${ratios.cpuEfficiencyVsBare ?? 'n/a'} × bare, ${ratios.cpuEfficiencyVsNaive ?? 'n/a'} × naive`,
  );
  const round3 = (v: number | null) => (v === null ? 'n/a' : String(Math.round(v * 1000) / 1000));
  const spread = (r: ReturnType<typeof perRoundRatios>) => `${round3(r.median)} (${round3(r.min)}–${round3(r.max)})`;
  say(
    `Per round (hookflow ÷ the baseline's run of the same round), median (range): ${spread(perRound.vsBare)} × bare, ${spread(perRound.vsNaive)} × naive`,
  );
  say('"machine" is server + Redis + load generator: what one request costs the cores they all share.');
  say('');
  say(
    `Pipeline: ${pipeline.deliveries} deliveries per run, worker concurrency ${pipeline.workerConcurrency}, ${config.rounds} alternating rounds, medians`,
  );
  say(
    formatTable(
      ['run', 'deliveries/s', 'seconds', '× raw', 'worker CPU µs/delivery', 'ingress', 'Redis', 'load gen', 'machine'],
      [
        pipelineRow(pipelineLabels.hookflow, pipeline.hookflow, ratios.pipelineVsRaw),
        pipelineRow(pipelineLabels.rawBullmq, pipeline.rawBullmq, 1),
        pipelineRow(
          pipelineLabels.naiveHttp,
          pipeline.naiveHttp,
          ratio(pipeline.naiveHttp.deliveriesPerSec, pipeline.rawBullmq.deliveriesPerSec),
        ),
        [
          'hookflow backlog drain (worker only)',
          pipeline.backlogDrain.deliveriesPerSec,
          pipeline.backlogDrain.seconds.toFixed(2),
          '',
          '',
          '',
          '',
          '',
          '',
        ],
        [
          'raw BullMQ backlog drain (no-op worker only)',
          pipeline.rawBacklogDrain.deliveriesPerSec,
          pipeline.rawBacklogDrain.seconds.toFixed(2),
          '',
          '',
          '',
          '',
          '',
          '',
        ],
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
  say(
    `Per round (hookflow ÷ the baseline's run of the same round), median (range): ${spread(pipelinePerRound.vsRaw)} × raw, ${spread(pipelinePerRound.vsNaiveHttp)} × the HTTP-fed hand-written pipeline`,
  );
  say(
    `Not a target, for context: hookflow's pipeline is ${ratios.pipelineVsNaiveHttp.toFixed(2)} × the hand-written one fed by the same HTTP load (naive handler → no-op worker).`,
  );
  say(
    `Not a target, for context: with no HTTP in front, hookflow's worker drains a backlog at ${ratios.backlogDrainVsRaw.toFixed(2)} × raw BullMQ's no-op worker.`,
  );
  say('');
  say(
    `Run isolation: ${isolation.deliveriesPerRound} deliveries of a one-transform definition through the delivery processor, one at a time, ${config.rounds} alternating rounds, medians`,
  );
  say(
    formatTable(
      ['run', 'µs/delivery', 'CPU µs/delivery'],
      isolationModes.map((mode) => [isolationLabels[mode], isolation[mode].usPerDelivery, isolation[mode].cpuUsPerDelivery]),
    ),
  );
  say(
    `Isolation costs ${isolation.costUsPerDelivery} µs (${isolation.ratio} ×) and ${isolation.costCpuUsPerDelivery} CPU µs (${isolation.cpuRatio} ×) per delivery over running in the worker's thread; ` +
      'the pipeline figures above already include it (the worker runs every delivery in a thread).',
  );
  say('');
  say(
    `Keys: ${keys.keyedDeliveriesPerSec} deliveries/s with concurrency limit 1 per key over ${keys.keys} keys, ${keys.unkeyedDeliveriesPerSec} deliveries/s ` +
      `for the same workflow without a key: ${keys.ratio.toFixed(2)} × (target >= 0.8; ${config.rounds} alternating rounds of ${keys.deliveries}, medians)`,
  );
  say('');
  say(
    `Abuse: a rejected 1 MiB JSON request costs the ingress ${abuse.cpuUsPerRejectedJson ?? 'n/a'} µs CPU, a rejected 1 MiB non-JSON one ` +
      `${abuse.cpuUsPerRejectedNonJson ?? 'n/a'} µs: ${abuse.jsonVsNonJson ?? 'n/a'} × (target <= 2; ${abuse.rounds} alternating rounds of ${abuse.requestsPerRound}, medians)`,
  );
  say(
    `Abuse: ingress heap ${abuse.heapBeforeMb ?? 'n/a'} MB before and ${abuse.heapAfterMb ?? 'n/a'} MB after ${abuse.unknownIdRequests} requests to unknown ids ` +
      `(after a full GC): ${abuse.heapGrowthMb ?? 'n/a'} MB growth (target < 10)`,
  );
  say(`Ingress RSS after the run: ${rssMb ?? 'n/a'} MB`);
  say(
    formatTable(
      ['target', 'want', 'measured', 'met'],
      Object.entries(targets).map(([name, t]) => [name, t.want, String(t.measured), t.met ? 'yes' : 'NO']),
    ),
  );
  say('');
  say(
    `Accounting: accepted ${accounting.accepted} (ids checked one by one: ${accounting.idsChecked}), stored ${accounting.stored}, succeeded ${accounting.succeeded}, lost ${accounting.lost}`,
  );
  say(`Machine: ${machine.nproc} × ${machine.cpu}, ${machine.memoryGb} GB, Node ${machine.node}. Results: ${config.resultsPath}`);
  return ok;
}
