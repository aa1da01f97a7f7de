import { signUptiq } from './client.js';

export interface SendAttempt {
  eventId: string;
  startedAt: number;
  finishedAt: number;
  /** HTTP status, or null when the request failed at the network level (refused, reset). */
  status: number | null;
  deliveryId?: string;
  error?: string;
}

export interface EventSenderOptions {
  /** The webhook endpoint (read on every attempt, so a test may point it elsewhere). */
  endpoint: () => string;
  privateKey: string;
  /** The payload of event `n`; it must carry `eventId`, by which the accounting recognises the event. */
  payload: (eventId: string, n: number) => Record<string, unknown>;
  /** Pause between retries of one event. The SDK honours Retry-After; a test uses a short pause to stay quick. */
  retryDelayMs?: number;
  /** Pause after each accepted event, per sending loop, to spread the load over time. */
  paceMs?: number;
}

/**
 * A sender that behaves like the SDK under faults: every event has one idempotency key for all its attempts, and
 * 503s, 5xx and network errors are retried until the event is acknowledged (2xx). Every attempt is recorded, so a
 * test can check what was answered when.
 */
export class EventSender {
  readonly attempts: SendAttempt[] = [];
  /** eventId → the delivery id of its first 2xx. */
  readonly accepted = new Map<string, string>();
  /** Events answered with a status that must not be retried (4xx): a test failure. */
  readonly rejected: SendAttempt[] = [];
  /** Events taken up so far (each is sent until acknowledged). */
  started = 0;
  #stopped = false;
  #noMoreEvents = false;

  constructor(private readonly options: EventSenderOptions) {}

  static eventId(n: number): string {
    return `evt-${String(n).padStart(5, '0')}`;
  }

  /**
   * Sends events 0..count-1 over `concurrency` loops; resolves when all taken up are acknowledged, after `finish()`
   * once the events in progress are, or at once after `stop()`.
   */
  async run(count: number, concurrency: number): Promise<void> {
    const loop = async () => {
      while (!this.#stopped && !this.#noMoreEvents && this.started < count) {
        const n = this.started++;
        await this.#sendUntilAcknowledged(n);
        if (this.options.paceMs) await sleep(this.options.paceMs);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, loop));
  }

  /** Takes up no new event; the ones in progress are still sent until acknowledged. */
  finish(): void {
    this.#noMoreEvents = true;
  }

  /** Gives up at once, even on events not yet acknowledged. */
  stop(): void {
    this.#stopped = true;
  }

  /** Attempts that started after `from` and finished before `to`. */
  attemptsWithin(from: number, to: number): SendAttempt[] {
    return this.attempts.filter((a) => a.startedAt >= from && a.finishedAt <= to);
  }

  async #sendUntilAcknowledged(n: number): Promise<void> {
    const eventId = EventSender.eventId(n);
    const body = JSON.stringify(this.options.payload(eventId, n));
    const headers = {
      'content-type': 'application/json',
      'x-signature': signUptiq(body, this.options.privateKey),
      'idempotency-key': eventId,
    };
    while (!this.#stopped) {
      const attempt: SendAttempt = { eventId, startedAt: Date.now(), finishedAt: 0, status: null };
      try {
        const res = await fetch(this.options.endpoint(), { method: 'POST', headers, body, signal: AbortSignal.timeout(15_000) });
        attempt.status = res.status;
        const text = await res.text();
        if (res.ok) attempt.deliveryId = (JSON.parse(text) as { deliveryId: string }).deliveryId;
      } catch (err) {
        attempt.error = (err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      }
      attempt.finishedAt = Date.now();
      this.attempts.push(attempt);
      if (attempt.status !== null && attempt.status >= 200 && attempt.status < 300) {
        if (!this.accepted.has(eventId)) this.accepted.set(eventId, attempt.deliveryId!);
        return;
      }
      if (attempt.status !== null && attempt.status < 500) {
        this.rejected.push(attempt);
        return;
      }
      await sleep(this.options.retryDelayMs ?? 100);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
