import { adminClient, signUptiq, type AdminClient } from './client.js';
import { freePort, spawnEntry, startStack, waitForHttp, type RunningProcess, type Stack } from './processes.js';
import { testPrefix } from './redis.js';
import { startRedisServer, type RedisServer } from './redis-server.js';
import { countStatusWrites, readAofCommands } from './aof-log.js';
import { EventSender, sleep, type EventSenderOptions } from './event-sender.js';
import { echoScenario, type Scenario, type StoredDelivery } from './scenario.js';

export interface FaultHarnessOptions {
  /** Short name for the prefix and the accounting line. */
  name: string;
  appendfsync?: 'always' | 'everysec';
  scenario?: Scenario;
  /** Extra environment for every process (ingress and workers). */
  env?: NodeJS.ProcessEnv;
}

/** One line of accounting per test; see test/faults/README.md for what each number means. */
export interface Accounting {
  accepted: number;
  executed: number;
  duplicates: number;
  lost: number;
  doubles: number;
  /** Runs started (status set to `running`), re-runs after a kill included. */
  runs: number;
  /** Deliveries stored although their request was never answered 2xx (answered 503, or cut off). */
  unacknowledgedStored: number;
  /** Succeeded records whose success the AOF does not show: must be 0, or the double count cannot be trusted. */
  aofMismatches: number;
  /** What the scenario's effect check found wrong. */
  effectErrors: string[];
}

/**
 * A private redis-server, the real ingress and worker processes against it, and one webhook bound to the
 * scenario's workflow: the common ground of the fault tests, with the probes and the accounting they share.
 */
export async function startFaultHarness({ name, appendfsync = 'everysec', scenario = echoScenario, env = {} }: FaultHarnessOptions) {
  const redis: RedisServer = await startRedisServer({ appendfsync });
  const prefix = testPrefix(name);
  const stackEnv: NodeJS.ProcessEnv = {
    // Quick stall recovery: a killed worker's jobs are taken up again after about lock + 2 × interval.
    HOOKFLOW_LOCK_MS: '2000',
    HOOKFLOW_STALLED_INTERVAL_MS: '1000',
    WORKER_CONCURRENCY: '8',
    LOG_LEVEL: 'warn',
    ...env,
  };
  let stack: Stack | undefined;
  let api: AdminClient;
  let hook: Awaited<ReturnType<AdminClient['setupWebhook']>>;
  try {
    stack = await startStack({ prefix, redisUrl: redis.url, env: stackEnv });
    api = adminClient(stack.baseUrl, stack.adminToken);
    await scenario.setup?.(api);
    hook = await api.setupWebhook(scenario.workflow);
  } catch (err) {
    await stack?.stop();
    await redis.stop();
    throw err;
  }
  const endpoint = `${stack.baseUrl}/hooks/${hook.webhookId}`;
  const bull = `{${prefix}}:default`;
  const processes: RunningProcess[] = [stack.ingress, stack.worker!];
  let ingress = stack.ingress;
  const workers: RunningProcess[] = [stack.worker!];

  const harness = {
    redis,
    stack,
    api,
    prefix,
    endpoint,
    webhookId: hook.webhookId,
    keyFile: hook.keyFile as { privateKey: string },
    get ingress() {
      return ingress;
    },
    /** Worker processes started so far that have not exited. */
    liveWorkers: () => workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null),

    sender: (options: Partial<EventSenderOptions> = {}) =>
      new EventSender({ endpoint: () => endpoint, privateKey: hook.keyFile.privateKey, payload: scenario.payload, ...options }),

    /** Starts one more worker process (its own health port) and waits until it serves. */
    async startWorker(): Promise<RunningProcess> {
      const port = await freePort();
      const proc = spawnEntry('apps/worker/src/main.ts', { ...stack.env, WORKER_PORT: String(port) });
      processes.push(proc);
      workers.push(proc);
      await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000, proc);
      return proc;
    },

    /** Starts a new ingress on the same port (after the previous one exited). */
    async restartIngress(): Promise<RunningProcess> {
      ingress = spawnEntry('apps/ingress/src/main.ts', stack.env);
      processes.push(ingress);
      await waitForHttp(`${stack.baseUrl}/healthz`, 60_000, ingress);
      return ingress;
    },

    /**
     * Whether this ingress dedupes on `idempotency-key` (the same key twice → `200 duplicate`). Sends a probe event
     * (`eventId` starting with `probe-`, which the accounting ignores).
     */
    async dedupesIdempotencyKeys(): Promise<boolean> {
      const body = JSON.stringify(scenario.payload('probe-dedupe', -1));
      const headers = {
        'content-type': 'application/json',
        'x-signature': signUptiq(body, hook.keyFile.privateKey),
        'idempotency-key': 'probe-dedupe',
      };
      const first = await fetch(endpoint, { method: 'POST', headers, body });
      const second = await fetch(endpoint, { method: 'POST', headers, body });
      await Promise.all([first.text(), second.text()]);
      return first.status === 202 && second.status === 200;
    },

    /** Jobs a worker holds right now (BullMQ's active list). */
    activeJobs: () => redis.client.llen(`${bull}:active`),

    /**
     * SIGKILLs the oldest live worker `kills` times, each time once it holds jobs (or after about 2 s), and starts a
     * replacement; returns how many kills landed with jobs in hand.
     */
    async killWorkersInTurn(kills: number): Promise<number> {
      let killsInHand = 0;
      for (let round = 0; round < kills; round++) {
        // While the replacement boots a backlog builds up, so when the victim is killed it is busy with jobs (echo
        // alone is too quick to be caught in hand otherwise), and nobody else finishes them.
        const [victim] = harness.liveWorkers();
        for (let i = 0; i < 200 && (await harness.activeJobs()) === 0; i++) await sleep(10);
        if ((await harness.activeJobs()) > 0) killsInHand++;
        await victim!.stop('SIGKILL');
        await sleep(500);
        await harness.startWorker();
      }
      return killsInHand;
    },

    /** Jobs not yet finished: waiting, active, delayed (retry backoff) or prioritized. */
    async pendingJobs(): Promise<number> {
      const [wait, active, delayed, prioritized] = await Promise.all([
        redis.client.llen(`${bull}:wait`),
        redis.client.llen(`${bull}:active`),
        redis.client.zcard(`${bull}:delayed`),
        redis.client.zcard(`${bull}:prioritized`),
      ]);
      return wait + active + delayed + prioritized;
    },

    /** How many times BullMQ found a job stalled (its worker died holding it) and put it back. */
    async stalledRecoveries(): Promise<number> {
      const entries = await redis.client.xrange(`${bull}:events`, '-', '+');
      return entries.filter(([, fields]) => fields[0] === 'event' && fields[1] === 'stalled').length;
    },

    async readDeliveries(): Promise<StoredDelivery[]> {
      const ids = await redis.client.zrange(`{${prefix}}:webhook:${hook.webhookId}:deliveries`, '0', '-1');
      const records = await Promise.all(ids.map((id) => redis.client.hgetall(`{${prefix}}:delivery:${id}`)));
      return records.map((raw, i) => ({
        id: ids[i]!,
        status: raw.status ?? 'missing',
        payload: raw.payload ? (JSON.parse(raw.payload) as Record<string, unknown>) : {},
        result: raw.result ? (JSON.parse(raw.result) as unknown) : null,
        receivedAt: raw.receivedAt ?? '',
        startedAt: raw.startedAt ?? '',
        finishedAt: raw.finishedAt ?? '',
        concurrencyKey: raw.concurrencyKey ?? null,
      }));
    },

    /**
     * Waits until every delivery `sender` was acknowledged for has finished and no job is left in the queue.
     * Not a timed assertion: the deadline only turns a hang into a failure with a useful message.
     */
    async waitUntilSettled(sender: EventSender, timeoutMs = 90_000): Promise<void> {
      const acknowledged = [...sender.accepted.values()];
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const statuses = await Promise.all(acknowledged.map((id) => redis.client.hget(`{${prefix}}:delivery:${id}`, 'status')));
        const open = statuses.filter((s) => s !== 'succeeded' && s !== 'failed').length;
        if (open === 0 && (await harness.pendingJobs()) === 0) return;
        if (Date.now() > deadline) {
          const stuck = acknowledged
            .map((id, i) => ({ id, status: statuses[i], answers: sender.attempts.filter((a) => a.deliveryId === id).map((a) => a.status) }))
            .filter((d) => d.status !== 'succeeded' && d.status !== 'failed');
          throw new Error(
            `${open} acknowledged deliveries still not finished, ${await harness.pendingJobs()} jobs pending: ${JSON.stringify(stuck.slice(0, 5))}`,
          );
        }
        await sleep(200);
      }
    },

    /**
     * Stops every process, shuts Redis down gracefully (so its AOF is complete), and counts: from the sender's
     * answers, the delivery records and the AOF. Prints the accounting line and returns it.
     */
    async account(sender: EventSender, extra: Record<string, number | string> = {}): Promise<Accounting> {
      await Promise.all(processes.map((p) => p.stop('SIGTERM')));
      const deliveries = (await harness.readDeliveries()).filter((d) => !String(d.payload.eventId).startsWith('probe-'));
      await redis.kill('SIGTERM');
      const aof = readAofCommands(redis.dir);
      const successWrites = countStatusWrites(aof, prefix, 'succeeded', { distinct: true });
      const replayedWrites = [...countStatusWrites(aof, prefix, 'succeeded').entries()].filter(
        ([id, n]) => n > (successWrites.get(id) ?? 0),
      ).length;
      const runWrites = countStatusWrites(aof, prefix, 'running');

      const acknowledged = new Set(sender.attempts.filter((a) => a.deliveryId).map((a) => a.deliveryId!));
      const acceptedEvents = new Set(sender.accepted.keys());
      const byEvent = new Map<string, StoredDelivery[]>();
      for (const d of deliveries) {
        const eventId = String(d.payload.eventId);
        byEvent.set(eventId, [...(byEvent.get(eventId) ?? []), d]);
      }
      const succeeded = deliveries.filter((d) => d.status === 'succeeded');
      let executed = 0;
      let duplicates = 0;
      let lost = 0;
      for (const eventId of acceptedEvents) {
        const own = byEvent.get(eventId) ?? [];
        const done = own.filter((d) => d.status === 'succeeded').length;
        if (done > 0) executed++;
        if (done > 1) duplicates++;
        // Lost: nothing of the event ran, or the delivery it was acknowledged with is missing or did not succeed.
        const acknowledgedId = sender.accepted.get(eventId)!;
        const acknowledgedDone = own.some((d) => d.id === acknowledgedId && d.status === 'succeeded');
        if (done === 0 || !acknowledgedDone) lost++;
      }
      const accounting: Accounting = {
        accepted: acceptedEvents.size,
        executed,
        duplicates,
        lost,
        doubles: [...successWrites.values()].filter((n) => n > 1).length,
        runs: [...runWrites.values()].reduce((a, b) => a + b, 0),
        unacknowledgedStored: deliveries.filter((d) => !acknowledged.has(d.id)).length,
        aofMismatches: succeeded.filter((d) => !successWrites.has(d.id)).length,
        effectErrors: await scenario.verifyEffects({ api, succeeded, acceptedEvents }),
      };
      // Stored without a 2xx: answered 503 after all (the sender sent the event again) or cut off. By status, so an
      // orphan record left `queued` without a job (a crash between storing the record and its job) shows up.
      const orphanStatuses = new Map<string, number>();
      for (const d of deliveries.filter((d) => !acknowledged.has(d.id)))
        orphanStatuses.set(d.status, (orphanStatuses.get(d.status) ?? 0) + 1);
      const extras = Object.entries({
        ...extra,
        'success-writes-replayed-by-client': replayedWrites,
        'unacknowledged-by-status': JSON.stringify(Object.fromEntries(orphanStatuses)),
      }).map(([k, v]) => `${k}=${v}`);
      console.log(
        `[faults] ${name}: accepted=${accounting.accepted} executed=${accounting.executed} duplicates=${accounting.duplicates} ` +
          `lost=${accounting.lost} doubles=${accounting.doubles} | runs=${accounting.runs} unacknowledged-stored=${accounting.unacknowledgedStored} ` +
          `aof-mismatches=${accounting.aofMismatches} effect-errors=${accounting.effectErrors.length} ${extras.join(' ')}`,
      );
      return accounting;
    },

    async teardown(): Promise<void> {
      await Promise.all(processes.map((p) => p.stop('SIGKILL')));
      await redis.stop();
    },
  };
  return harness;
}

export type FaultHarness = Awaited<ReturnType<typeof startFaultHarness>>;

/**
 * What every fault scenario ends with, for `expect(accounting).toMatchObject(…)`: each event the sender started was
 * accepted and executed once, and nothing was lost, doubled, misrecorded in the AOF or applied wrongly.
 * `duplicatesAllowed` leaves out the duplicate count, for a scenario that reports it under its own condition.
 */
export function everyEventOnce(sender: EventSender, { duplicatesAllowed = false } = {}) {
  return {
    accepted: sender.started,
    executed: sender.started,
    lost: 0,
    doubles: 0,
    ...(duplicatesAllowed ? {} : { duplicates: 0 }),
    aofMismatches: 0,
    effectErrors: [],
  };
}
