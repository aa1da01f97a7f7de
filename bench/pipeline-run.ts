import { median, medianOrNull, ratio, sumOrNull } from './stats.js';

/** The three pipelines, in the order their rounds alternate. */
export const pipelineNames = ['hookflow', 'rawBullmq', 'naiveHttp'] as const;
export type PipelineName = (typeof pipelineNames)[number];
export const pipelineLabels: Record<PipelineName, string> = {
  hookflow: 'hookflow echo (202 → succeeded)',
  rawBullmq: 'raw BullMQ worker (no-op)',
  naiveHttp: 'naive handler → no-op worker (HTTP-fed)',
};

/** One pipeline run: deliveries/s, and the CPU each process spent per delivery (null: not measured or not part of it). */
export interface PipelineRun {
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
export interface RunCpu {
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

export function pipelineRun(accepted: number, seconds: number, drained: boolean, cpu: RunCpu): PipelineRun {
  return { deliveriesPerSec: Math.round(accepted / seconds), seconds, accepted, drained, ...cpuFields(cpu) };
}

/** Medians of one pipeline's rounds; `accepted` is the total and `drained` holds only if every round drained. */
export function summarizePipeline(runs: PipelineRun[]): PipelineRun {
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

/**
 * What the pipeline's CPU per delivery allows, as arithmetic on the measured figures: how many cores each pipeline
 * kept busy, and the ratio to raw BullMQ's measured deliveries/s that Hookflow would reach with every core busy, at
 * its own CPU per delivery and at its HTTP side plus raw BullMQ's (no-op) worker side. When the second is below a
 * target, no worker behind this ingress could meet it on this machine.
 */
export function pipelineBounds(
  pipeline: Record<PipelineName, PipelineRun>,
  split: { hookflowIngestSideUs: number | null; rawWorkerSideUs: number | null },
  cores: number,
) {
  const coresBusy = (run: PipelineRun) =>
    run.machineCpuUsPerDelivery === null ? null : Math.round((run.deliveriesPerSec * run.machineCpuUsPerDelivery) / 1e4) / 100;
  const vsRawAtAllCores = (cpuUsPerDelivery: number | null) =>
    cpuUsPerDelivery === null ? null : ratio((cores * 1e6) / cpuUsPerDelivery, pipeline.rawBullmq.deliveriesPerSec);
  return {
    coresBusy: {
      hookflow: coresBusy(pipeline.hookflow),
      rawBullmq: coresBusy(pipeline.rawBullmq),
      naiveHttp: coresBusy(pipeline.naiveHttp),
    },
    hookflowAllCoresVsRaw: vsRawAtAllCores(pipeline.hookflow.machineCpuUsPerDelivery),
    noOpWorkerSideAllCoresVsRaw: vsRawAtAllCores(sumOrNull([split.hookflowIngestSideUs, split.rawWorkerSideUs])),
  };
}
