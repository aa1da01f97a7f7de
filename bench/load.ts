import autocannon, { type Request as AutocannonRequest } from 'autocannon';
import { cpuTimeMs, cpuUsPer, ownCpuTimeMs } from './proc-stats.js';

export interface LoadTarget {
  url: string;
  /** The serving process, whose CPU time is read around the run. */
  pid: number | null;
  /** The local redis-server, whose CPU time is read too (null: not measured). */
  redisPid: number | null;
  body: string;
  headers: Record<string, string>;
  /**
   * Several signed bodies to send instead of `body`, in turn across all connections (one shared counter), so
   * concurrent requests carry different ones and each is sent equally often (as many senders at the same rate would).
   */
  bodies?: { body: string; headers: Record<string, string> }[];
}

export interface LoadResult {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses with a 2xx status (for Hookflow: deliveries it acknowledged). */
  accepted: number;
  non2xx: number;
  errors: number;
  /** CPU time the server process spent per answered request, in µs (null without /proc). */
  cpuUsPerReq: number | null;
  /** CPU time redis-server spent per answered request, in µs (null when not measured). */
  redisCpuUsPerReq: number | null;
  /** CPU time the load generator (this process) spent per answered request, in µs. */
  clientCpuUsPerReq: number | null;
}

/** One autocannon run: `connections` keep-alive connections POSTing the same signed body, for `seconds` or `amount` requests. */
export async function runLoad(
  target: LoadTarget,
  {
    connections,
    seconds,
    amount,
    onBody,
  }: { connections: number; seconds?: number; amount?: number; onBody?: (status: number, body: string) => void },
): Promise<LoadResult> {
  const cpuBefore = cpuTimeMs(target.pid);
  const redisBefore = cpuTimeMs(target.redisPid);
  const clientBefore = ownCpuTimeMs();
  const result = await autocannon({
    url: target.url,
    connections,
    timeout: 10,
    ...(amount !== undefined ? { amount } : { duration: seconds ?? 5 }),
    requests: [
      {
        method: 'POST',
        headers: target.headers,
        body: target.body,
        ...(onBody ? { onResponse: (status: number, body: string) => onBody(status, body) } : {}),
        ...(target.bodies ? { setupRequest: walkBodies(target.bodies) } : {}),
      },
    ],
  });
  const cpuAfter = cpuTimeMs(target.pid);
  const redisAfter = cpuTimeMs(target.redisPid);
  const clientAfter = ownCpuTimeMs();
  const answered = result['2xx'] + result.non2xx;
  return {
    // Completed 2xx responses over the wall time, rather than autocannon's mean of 1-second buckets (few buckets per round).
    reqPerSec: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    accepted: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    cpuUsPerReq: cpuUsPer(cpuBefore, cpuAfter, answered),
    redisCpuUsPerReq: cpuUsPer(redisBefore, redisAfter, answered),
    clientCpuUsPerReq: cpuUsPer(clientBefore, clientAfter, answered),
  };
}

/** A `setupRequest` that sends `bodies` in turn, one after the other across every connection. */
function walkBodies(bodies: { body: string; headers: Record<string, string> }[]) {
  let next = 0;
  return (request: AutocannonRequest): AutocannonRequest => ({ ...request, ...bodies[next++ % bodies.length]! });
}
