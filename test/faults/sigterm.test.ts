import { afterEach, describe, expect, it } from 'vitest';
import { everyEventOnce, startFaultHarness, type FaultHarness } from '../support/fault-harness.js';
import { sleep } from '../support/event-sender.js';
import { echoScenario } from '../support/scenario.js';

const scenario = echoScenario;
let h: FaultHarness | undefined;

afterEach(async () => {
  await h?.teardown();
  h = undefined;
});

async function fetchError(url: string): Promise<string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    return `answered ${res.status}`;
  } catch (err) {
    return (err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
  }
}

describe('graceful shutdown under load', () => {
  it('ingress SIGTERM: in-flight requests finish, new ones are refused, exit 0', async () => {
    h = await startFaultHarness({ name: 'ingress-sigterm', scenario });
    // No pacing: 16 loops keep requests in flight all the time.
    const sender = h.sender({ retryDelayMs: 100 });
    const sending = sender.run(Number.POSITIVE_INFINITY, 16);
    while (sender.accepted.size < 100) await sleep(20);

    const sigtermAt = Date.now();
    const exitCode = await h.ingress.stop('SIGTERM');
    expect(exitCode, h.ingress.output()).toBe(0);
    // Gone for good: a new connection is refused, not answered and not left hanging.
    expect(await fetchError(`${h.stack.baseUrl}/healthz`)).toBe('ECONNREFUSED');

    const acceptedAtExit = sender.accepted.size;
    await h.restartIngress();
    while (sender.accepted.size < acceptedAtExit + 100) await sleep(20);
    sender.finish();
    await sending;
    expect(sender.rejected).toEqual([]);
    expect(sender.accepted.size).toBe(sender.started);

    await h.waitUntilSettled(sender);
    const inFlightAnswered = sender.attempts.filter((a) => a.startedAt < sigtermAt && a.finishedAt >= sigtermAt && a.status === 202).length;
    const refused = sender.attempts.filter((a) => a.status === null).length;
    const accounting = await h.account(sender, { 'in-flight-answered-after-sigterm': inFlightAnswered, 'refused-attempts': refused });
    // In-flight requests finished: nothing was stored without its sender getting the 202.
    expect(accounting.unacknowledgedStored).toBe(0);
    expect(accounting).toMatchObject(everyEventOnce(sender));
  });

  it('worker SIGTERM: jobs in hand finish or go back to the queue, exit 0', async () => {
    h = await startFaultHarness({ name: 'worker-sigterm', scenario });
    // An idle worker stops cleanly too; then a backlog builds up with no worker running.
    const [idle] = h.liveWorkers();
    expect(await idle!.stop('SIGTERM')).toBe(0);
    const sender = h.sender();
    await sender.run(300, 16);
    expect(sender.accepted.size).toBe(300);

    // A worker starts on the backlog and is told to stop while it holds jobs.
    const busy = await h.startWorker();
    while ((await h.activeJobs()) === 0) await sleep(5);
    const inHand = await h.activeJobs();
    const exitCode = await busy.stop('SIGTERM');
    expect(exitCode, busy.output()).toBe(0);
    // Nothing is left stranded in `active` (which only stall recovery could undo): each job finished or went back.
    expect(await h.activeJobs()).toBe(0);
    const leftForNext = await h.pendingJobs();

    await h.startWorker();
    await h.waitUntilSettled(sender);
    const accounting = await h.account(sender, { 'jobs-in-hand-at-sigterm': inHand, 'left-in-queue': leftForNext });
    expect(accounting).toMatchObject({
      accepted: 300,
      executed: 300,
      lost: 0,
      doubles: 0,
      duplicates: 0,
      aofMismatches: 0,
      effectErrors: [],
    });
  });
});
