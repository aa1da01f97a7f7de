/**
 * The abuse phase of `npm run bench`: what an attacker with nothing but an endpoint URL can make the ingress spend.
 * CPU per rejected 1 MiB request whose body is JSON, against one whose body is not (side by side, alternating rounds:
 * a JSON body must not buy more work before authentication), and the ingress heap before and after a flood of
 * requests to unknown webhook ids (they must leave no lasting memory). Runs its own ingress, with a heap probe.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { newId } from '@hookflow/shared';
import { appEntry, freePort, spawnEntry, waitForHttp, type Stack } from '../test/support/processes.js';
import type { BenchConfig } from './config.js';
import { runLoad } from './load.js';
import { serverPid } from './proc-stats.js';
import { medianOrNull, ratioOrNull, say } from './stats.js';

const mib = 1024 * 1024;

/** Valid JSON of exactly `bytes` bytes, made of many small objects: the shape that is costly to parse and re-serialise. */
export function jsonBodyOf(bytes: number): string {
  const items: string[] = [];
  let length = '{"items":[],"pad":""}'.length;
  for (let i = 0; length + 40 < bytes; i++) {
    const item = `{"i":${i},"name":"item ${i}","ok":true}`;
    items.push(item);
    length += item.length + (items.length > 1 ? 1 : 0);
  }
  const body = `{"items":[${items.join(',')}],"pad":""}`;
  return body.slice(0, -2) + 'x'.repeat(bytes - body.length) + '"}';
}

export interface AbuseResult {
  requestsPerRound: number;
  rounds: number;
  /** Ingress CPU µs per rejected (401) 1 MiB request, medians over the rounds. */
  cpuUsPerRejectedJson: number | null;
  cpuUsPerRejectedNonJson: number | null;
  jsonVsNonJson: number | null;
  unknownIdRequests: number;
  /** Heap in use after a full garbage collection, before and after the unknown-id flood. */
  heapBeforeMb: number | null;
  heapAfterMb: number | null;
  heapGrowthMb: number | null;
}

export async function measureAbuse(
  config: BenchConfig,
  stack: Stack,
  webhookId: string,
  stop: (() => Promise<unknown>)[],
): Promise<AbuseResult> {
  const port = await freePort();
  const heapFile = join(mkdtempSync(join(tmpdir(), 'hookflow-heap-')), 'heap');
  const probe = resolve(import.meta.dirname, 'targets', 'heap-probe.mjs');
  const ingress = spawnEntry(appEntry('ingress', true), {
    ...stack.env,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    NODE_OPTIONS: `--expose-gc --import ${probe}`,
    BENCH_HEAP_FILE: heapFile,
  });
  stop.push(() => ingress.stop());
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHttp(`${baseUrl}/healthz`, 30_000, ingress);
  const pid = serverPid(ingress.child.pid);

  const requestsPerRound = config.quick ? 10 : 50;
  const rounds = config.rounds;
  say(
    `bench: abuse, ${rounds} alternating rounds of ${requestsPerRound} rejected 1 MiB requests (JSON, not JSON), then ${config.abuseUnknownIds} requests to unknown ids`,
  );
  const forged = { 'content-type': 'application/json', 'x-signature': '0'.repeat(64) };
  const bodies = { json: jsonBodyOf(mib), nonJson: 'x'.repeat(mib) };
  const cpu: Record<keyof typeof bodies, (number | null)[]> = { json: [], nonJson: [] };
  const url = `${baseUrl}/hooks/${webhookId}`;
  // One round of each first, unmeasured, so neither kind pays for the process warming up.
  for (const body of Object.values(bodies))
    await runLoad({ url, pid, redisPid: null, body, headers: forged }, { connections: 2, amount: 4 });
  for (let round = 1; round <= rounds; round++) {
    for (const kind of ['json', 'nonJson'] as const) {
      const result = await runLoad(
        { url, pid, redisPid: null, body: bodies[kind], headers: forged },
        { connections: 2, amount: requestsPerRound },
      );
      cpu[kind].push(result.cpuUsPerReq);
      say(
        `  round ${round} rejected 1 MiB ${kind === 'json' ? 'JSON    ' : 'not JSON'}  cpu ${result.cpuUsPerReq ?? 'n/a'} µs/req  answers ${result.non2xx}  errors ${result.errors}`,
      );
    }
  }

  const heapBefore = await heapUsed(pid, heapFile);
  // Every request names a new, well-formed id: each is looked up in Redis and answered 404. No body, so the
  // connection stays open (a 404 before an unread body would close it, and 100k reconnects would measure the kernel).
  await autocannon({
    url: baseUrl,
    connections: config.connections,
    amount: config.abuseUnknownIds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, path: `/hooks/${newId('wh')}` }),
      },
    ],
  });
  const heapAfter = await heapUsed(pid, heapFile);
  await ingress.stop();

  const cpuUsPerRejectedJson = medianOrNull(cpu.json);
  const cpuUsPerRejectedNonJson = medianOrNull(cpu.nonJson);
  const mb = (bytes: number | null) => (bytes === null ? null : Math.round((bytes / mib) * 10) / 10);
  return {
    requestsPerRound,
    rounds,
    cpuUsPerRejectedJson,
    cpuUsPerRejectedNonJson,
    jsonVsNonJson: ratioOrNull(cpuUsPerRejectedJson, cpuUsPerRejectedNonJson),
    unknownIdRequests: config.abuseUnknownIds,
    heapBeforeMb: mb(heapBefore),
    heapAfterMb: mb(heapAfter),
    heapGrowthMb: heapBefore === null || heapAfter === null ? null : mb(heapAfter - heapBefore),
  };
}

/** Asks the heap probe for the heap in use after a full collection; null if it does not answer within 10 s. */
async function heapUsed(pid: number | null, file: string): Promise<number | null> {
  if (pid === null) return null;
  rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 10_000;
  while (!existsSync(file)) {
    if (Date.now() > deadline) return null;
    await new Promise((r) => setTimeout(r, 50));
  }
  return Number(readFileSync(file, 'utf8'));
}
