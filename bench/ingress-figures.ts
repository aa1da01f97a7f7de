import type { LoadResult } from './load.js';
import { median, medianOrNull, sumOrNull } from './stats.js';

/** The three servers of the ingress rounds, in the order the rounds alternate. */
export const targetNames = ['hookflow', 'bare', 'naive'] as const;
export type TargetName = (typeof targetNames)[number];
export const labels: Record<TargetName, string> = { hookflow: 'hookflow ingress', bare: 'bare express 5', naive: 'naive handler' };

/** Medians of one server's rounds, and the CPU one request cost each process. */
export function summarize(results: LoadResult[]) {
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
