import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ratio, ratioOrNull } from '../../bench/stats.js';
import { repoRoot } from '../support/processes.js';

const run = promisify(execFile);

// Runs the real `npm run bench` in quick mode: checks that every phase runs, results.json has its shape and the
// accounting holds. Speed and ratios are not asserted (shared, noisy machines); that is the bench's own report.
describe('npm run bench (BENCH_QUICK=1)', () => {
  it('measures all targets, writes results.json and accounts for every accepted delivery', async () => {
    const resultsPath = join(mkdtempSync(join(tmpdir(), 'hookflow-bench-')), 'results.json');
    const { stdout } = await run('npm', ['run', 'bench', '--silent'], {
      cwd: repoRoot,
      env: { ...process.env, BENCH_QUICK: '1', BENCH_RESULTS: resultsPath },
      timeout: 230_000,
      maxBuffer: 10 * 1024 * 1024,
    });
    expect(stdout).toMatch(/hookflow ingress .*\n.*bare express 5.*\n.*naive handler/);
    const results = JSON.parse(readFileSync(resultsPath, 'utf8'));

    expect(results.quick).toBe(true);
    expect(results.settings).toMatchObject({ connections: 50, rounds: 2, roundSeconds: 1 });
    expect(results.settings.payloadBytes).toBeGreaterThan(150);
    for (const target of ['hookflow', 'bare', 'naive']) {
      const medians = results.ingress.medians[target];
      const numberOrNull = (value: unknown) => (value === null ? null : expect.any(Number));
      expect(medians).toEqual({
        reqPerSec: expect.any(Number),
        p50Ms: expect.any(Number),
        p99Ms: expect.any(Number),
        non2xx: expect.any(Number),
        errors: expect.any(Number),
        cpuUsPerReq: numberOrNull(medians.cpuUsPerReq),
        redisCpuUsPerReq: numberOrNull(medians.redisCpuUsPerReq),
        clientCpuUsPerReq: expect.any(Number),
        machineCpuUsPerReq: numberOrNull(medians.machineCpuUsPerReq),
      });
      // The machine's share is the sum of its parts, when all were measured.
      if (medians.machineCpuUsPerReq !== null)
        expect(medians.machineCpuUsPerReq).toBe(medians.cpuUsPerReq + medians.redisCpuUsPerReq + medians.clientCpuUsPerReq);
      expect(results.ingress.medians[target].reqPerSec).toBeGreaterThan(0);
      expect(results.ingress.rounds.filter((r: { target: string }) => r.target === target)).toHaveLength(2);
    }
    // Rounds alternate: hookflow, bare, naive, hookflow, ...
    expect(results.ingress.rounds.map((r: { target: string }) => r.target)).toEqual([
      'hookflow',
      'bare',
      'naive',
      'hookflow',
      'bare',
      'naive',
    ]);
    expect(Object.keys(results.ingress.ratios).sort()).toEqual([
      'cpuEfficiencyVsBare',
      'cpuEfficiencyVsNaive',
      'p99VsBare',
      'reqPerSecVsBare',
      'reqPerSecVsNaive',
    ]);
    // Per-round ratios: one hookflow round over the baseline's run of the same round, so within the rounds' range.
    for (const [baseline, spread] of [
      ['bare', results.ingress.perRoundRatios.vsBare],
      ['naive', results.ingress.perRoundRatios.vsNaive],
    ] as const) {
      const perRound = [1, 2].map((round) => {
        const of = (target: string) =>
          results.ingress.rounds.find((r: { round: number; target: string }) => r.round === round && r.target === target).reqPerSec;
        return ratio(of('hookflow'), of(baseline));
      });
      expect(spread).toEqual({ median: (perRound[0]! + perRound[1]!) / 2, min: Math.min(...perRound), max: Math.max(...perRound) });
    }
    expect(Object.keys(results.targets).sort()).toEqual([
      'abuseCpuJsonVsNonJson',
      'abuseHeapGrowthMb',
      'ingressRssMb',
      'keyedVsUnkeyed',
      'p99VsBare',
      'pipelineVsRaw',
      'reqPerSecVsBare',
      'reqPerSecVsNaive',
      'zeroNon2xx',
    ]);
    // The abuse figures: CPU per rejected 1 MiB request, JSON over not JSON, and the heap around the unknown-id flood.
    const { abuse } = results;
    expect(abuse).toMatchObject({ rounds: 2, requestsPerRound: 10, unknownIdRequests: 10_000 });
    expect(abuse.cpuUsPerRejectedJson === null || abuse.cpuUsPerRejectedJson > 0).toBe(true);
    expect(abuse.jsonVsNonJson).toBe(ratioOrNull(abuse.cpuUsPerRejectedJson, abuse.cpuUsPerRejectedNonJson));
    expect(abuse.heapBeforeMb).toBeGreaterThan(0);
    expect(abuse.heapAfterMb).toBeGreaterThan(0);
    expect(abuse.heapGrowthMb).toBeCloseTo(abuse.heapAfterMb - abuse.heapBeforeMb, 0);
    expect(results.targets.abuseHeapGrowthMb).toMatchObject({ want: '< 10', measured: abuse.heapGrowthMb });
    expect(results.targets.abuseCpuJsonVsNonJson).toMatchObject({ want: '<= 2', measured: abuse.jsonVsNonJson });
    expect(stdout).toMatch(/Abuse: a rejected 1 MiB JSON request costs the ingress (\d+|n\/a) µs CPU.*target <= 2/);
    expect(stdout).toMatch(/Abuse: ingress heap [\d.]+ MB before and [\d.]+ MB after 10000 requests to unknown ids .*target < 10/);
    // The keys phase: limit 1 per key over 100 keys against the same workflow without a key, alternating rounds.
    const { keys } = results;
    expect(keys).toMatchObject({ keys: 100, limit: 1, deliveries: 300, drained: true });
    expect(keys.rounds.map((r: { round: number; run: string }) => `${r.round} ${r.run}`)).toEqual([
      '1 keyed',
      '1 unkeyed',
      '2 keyed',
      '2 unkeyed',
    ]);
    for (const r of keys.rounds) expect(r).toMatchObject({ accepted: 300, drained: true, deliveriesPerSec: expect.any(Number) });
    const keysRoundsOf = (run: string) =>
      keys.rounds.filter((r: { run: string }) => r.run === run).map((r: { deliveriesPerSec: number }) => r.deliveriesPerSec);
    expect(keys.keyedDeliveriesPerSec).toBe(Math.round((keysRoundsOf('keyed')[0] + keysRoundsOf('keyed')[1]) / 2));
    expect(keys.unkeyedDeliveriesPerSec).toBe(Math.round((keysRoundsOf('unkeyed')[0] + keysRoundsOf('unkeyed')[1]) / 2));
    expect(keys.ratio).toBe(ratio(keys.keyedDeliveriesPerSec, keys.unkeyedDeliveriesPerSec));
    expect(results.targets.keyedVsUnkeyed).toMatchObject({ want: '>= 0.8', measured: keys.ratio });
    expect(stdout).toMatch(
      /Keys: \d+ deliveries\/s with concurrency limit 1 per key over 100 keys, \d+ deliveries\/s for the same workflow without a key: [\d.]+ × \(target >= 0.8/,
    );
    expect(results.machine).toMatchObject({ nproc: expect.any(Number), cpu: expect.any(String), memoryGb: expect.any(Number) });

    expect(results.pipeline.deliveries).toBe(300);
    expect(stdout).toContain('worker concurrency 10,');
    expect(results.pipeline.workerConcurrency).toBe(10);
    // Pipeline rounds alternate too, and each pipeline's figures are the medians of its rounds (accepted: the total).
    const pipelineRounds = results.pipeline.rounds as {
      round: number;
      run: string;
      deliveriesPerSec: number;
      accepted: number;
      drained: boolean;
    }[];
    expect(pipelineRounds.map((r) => `${r.round} ${r.run}`)).toEqual([
      '1 hookflow',
      '1 rawBullmq',
      '1 naiveHttp',
      '2 hookflow',
      '2 rawBullmq',
      '2 naiveHttp',
    ]);
    for (const r of pipelineRounds) expect(r).toMatchObject({ accepted: 300, drained: true, deliveriesPerSec: expect.any(Number) });
    const roundsOf = (run: string) => pipelineRounds.filter((r) => r.run === run);
    for (const run of ['hookflow', 'rawBullmq', 'naiveHttp']) {
      const [first, second] = roundsOf(run).map((r) => r.deliveriesPerSec) as [number, number];
      expect(results.pipeline[run].deliveriesPerSec).toBe(Math.round((first + second) / 2));
    }
    expect(results.pipeline.hookflow).toMatchObject({ accepted: 600, drained: true, clientCpuUsPerDelivery: expect.any(Number) });
    expect(results.pipeline.rawBullmq).toMatchObject({ accepted: 600, drained: true });
    // The HTTP-fed hand-written pipeline: every request the naive handler acknowledged was run by the no-op worker.
    expect(results.pipeline.naiveHttp).toMatchObject({ accepted: 600, drained: true });
    expect(results.pipeline.ratioVsRaw).toBe(
      ratio(results.pipeline.hookflow.deliveriesPerSec, results.pipeline.rawBullmq.deliveriesPerSec),
    );
    for (const [baseline, spread] of [
      ['rawBullmq', results.pipeline.perRoundRatios.vsRaw],
      ['naiveHttp', results.pipeline.perRoundRatios.vsNaiveHttp],
    ] as const) {
      const perRound = [0, 1].map((i) => ratio(roundsOf('hookflow')[i]!.deliveriesPerSec, roundsOf(baseline)[i]!.deliveriesPerSec));
      expect(spread).toEqual({ median: (perRound[0]! + perRound[1]!) / 2, min: Math.min(...perRound), max: Math.max(...perRound) });
    }
    expect(results.pipeline.ratioVsNaiveHttp).toBe(
      ratio(results.pipeline.hookflow.deliveriesPerSec, results.pipeline.naiveHttp.deliveriesPerSec),
    );
    expect(Object.keys(results.pipeline.cpuSplitUsPerDelivery).sort()).toEqual([
      'hookflowIngestSideUs',
      'hookflowWorkerSideUs',
      'rawProducerUs',
      'rawWorkerSideUs',
    ]);
    // Raw BullMQ's backlog drain (context): the insert probe's jobs, four pipeline runs' worth, all run by a no-op worker.
    expect(results.pipeline.rawBacklogDrain).toMatchObject({ deliveries: 1200, drained: true, deliveriesPerSec: expect.any(Number) });
    expect(results.pipeline.rawBacklogDrain.deliveriesPerSec).toBe(Math.round(1200 / results.pipeline.rawBacklogDrain.seconds));
    expect(results.pipeline.backlogDrainVsRaw).toBe(
      ratio(results.pipeline.backlogDrain.deliveriesPerSec, results.pipeline.rawBacklogDrain.deliveriesPerSec),
    );
    expect(stdout).toMatch(/raw BullMQ backlog drain \(no-op worker only\)\s+\d+/);
    // Raw BullMQ's split: the Redis work of its inserts (measured by the probe) counts to its producer, not its worker.
    const insertUs = results.pipeline.rawInsertRedisCpuUsPerJob;
    const raw = results.pipeline.rawBullmq;
    // Both come from the same redis-server's CPU time: measured together or not at all.
    expect(insertUs === null).toBe(raw.redisCpuUsPerDelivery === null);
    if (raw.redisCpuUsPerDelivery !== null) {
      expect(insertUs).toBeGreaterThan(0);
      expect(results.pipeline.cpuSplitUsPerDelivery.rawWorkerSideUs).toBeCloseTo(
        raw.workerCpuUsPerDelivery + raw.redisCpuUsPerDelivery - insertUs,
        6,
      );
      expect(results.pipeline.cpuSplitUsPerDelivery.rawProducerUs).toBeCloseTo(raw.clientCpuUsPerDelivery + insertUs, 6);
    }
    // The CPU bounds are arithmetic on the run's own figures.
    const { bounds, cpuSplitUsPerDelivery: split } = results.pipeline;
    const nproc = results.machine.nproc;
    for (const run of ['hookflow', 'rawBullmq', 'naiveHttp']) {
      const { deliveriesPerSec, machineCpuUsPerDelivery } = results.pipeline[run];
      expect(bounds.coresBusy[run]).toBe(
        machineCpuUsPerDelivery === null ? null : Math.round((deliveriesPerSec * machineCpuUsPerDelivery) / 1e4) / 100,
      );
    }
    const rawPerSec = results.pipeline.rawBullmq.deliveriesPerSec;
    const ours = results.pipeline.hookflow.machineCpuUsPerDelivery;
    expect(bounds.hookflowAllCoresVsRaw).toBe(ours === null ? null : ratio((nproc * 1e6) / ours, rawPerSec));
    const noOpBehindIngress =
      split.hookflowIngestSideUs === null || split.rawWorkerSideUs === null ? null : split.hookflowIngestSideUs + split.rawWorkerSideUs;
    expect(bounds.noOpWorkerSideAllCoresVsRaw).toBe(
      noOpBehindIngress === null ? null : ratio((nproc * 1e6) / noOpBehindIngress, rawPerSec),
    );
    expect(stdout).toMatch(
      /CPU bounds \(arithmetic, not measured\): with all \d+ cores busy, hookflow's pipeline would reach (\d+\.\d\d|n\/a) × raw/,
    );
    expect(results.ingressRssBytes === null || results.ingressRssBytes > 0).toBe(true);

    // Run isolation: the same deliveries through the delivery processor in a run thread and in-process, alternating
    // rounds; the cost is the difference (and ratio) of the medians, all printed.
    const { isolation } = results;
    expect(isolation.deliveriesPerRound).toBe(100);
    expect(isolation.rounds.map((r: { round: number; mode: string }) => `${r.round} ${r.mode}`)).toEqual([
      '1 thread',
      '1 inProcess',
      '2 thread',
      '2 inProcess',
    ]);
    for (const mode of ['thread', 'inProcess']) {
      const of = (field: string) =>
        isolation.rounds.filter((r: { mode: string }) => r.mode === mode).map((r: Record<string, number>) => r[field]!);
      for (const field of ['usPerDelivery', 'cpuUsPerDelivery']) {
        const [first, second] = of(field) as [number, number];
        expect(first).toBeGreaterThan(0);
        expect(isolation[mode][field]).toBe((first + second) / 2);
      }
    }
    expect(isolation.costUsPerDelivery).toBe(isolation.thread.usPerDelivery - isolation.inProcess.usPerDelivery);
    expect(isolation.costCpuUsPerDelivery).toBe(isolation.thread.cpuUsPerDelivery - isolation.inProcess.cpuUsPerDelivery);
    expect(isolation.ratio).toBe(ratio(isolation.thread.usPerDelivery, isolation.inProcess.usPerDelivery));
    expect(isolation.cpuRatio).toBe(ratio(isolation.thread.cpuUsPerDelivery, isolation.inProcess.cpuUsPerDelivery));
    expect(stdout).toMatch(/in a run thread \(shipped\)\s+\d+(\.\d+)?\s+\d+/);
    expect(stdout).toMatch(/in the worker's thread \(no isolation, bench only\)\s+\d+(\.\d+)?\s+\d+/);
    expect(stdout).toContain(
      `Isolation costs ${isolation.costUsPerDelivery} µs (${isolation.ratio} ×) and ${isolation.costCpuUsPerDelivery} CPU µs (${isolation.cpuRatio} ×) per delivery`,
    );

    const { accounting } = results;
    expect(accounting.accepted).toBeGreaterThan(300);
    expect(accounting.idsChecked).toBe(accounting.accepted);
    expect(accounting.succeeded).toBe(accounting.accepted);
    expect(accounting.statuses).toEqual({ succeeded: accounting.accepted });
    expect(accounting.lost).toBe(0);
    expect(accounting.stored).toBeGreaterThanOrEqual(accounting.accepted);
    expect(results.ok).toBe(true);
  }, 240_000);
});
