import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { isRetryableStatus, type SchemeName } from '@hookflow/protocol';
import { backoffDelay, defaultRetries, parseRetryAfter, type RetryOptions } from './backoff.js';
import { bodyText, sign } from './sign.js';
import { SendError } from './send-error.js';

export interface SendOptions {
  /** The webhook's private key (or the provider secret for other schemes). Without it the request is sent unsigned. */
  key?: string;
  /** Signature scheme of the receiving webhook. Default `uptiq`. */
  scheme?: SchemeName | string;
  /** Sent as `idempotency-key` on every try, so the receiver runs the event once. Default: a new random UUID. */
  idempotencyKey?: string;
  /** Retry policy; see `RetryOptions` for the defaults. */
  retries?: RetryOptions;
  /** Time limit of one try in ms. Default 10 000. */
  timeoutMs?: number;
  /** Extra headers for every try. */
  headers?: Record<string, string>;
  /** Aborts the whole send (no further tries). */
  signal?: AbortSignal;
  /** Called before each wait between tries; `reason` is the status that caused it or the network error message. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: number | string }) => void;
  /** Injection points for tests and custom runtimes. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  fetch?: typeof fetch;
}

export interface SendResult {
  /** HTTP status of the last try. */
  status: number;
  /** True for a 2xx. */
  ok: boolean;
  /** Parsed JSON body of the last response (its text when it is not JSON; null when empty). */
  body: unknown;
  /** Tries made, the first one included. */
  attempts: number;
  /** The idempotency key sent on every try. */
  idempotencyKey: string;
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const errorMessage = (err: unknown) =>
  err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err);

/**
 * POSTs `payload` as JSON to `url`, signed with `key`, retrying network errors and the statuses `isRetryableStatus`
 * names (408, 429, 5xx) with exponential backoff and full jitter (or exactly the server's `Retry-After` when it sends
 * one). Other 4xx are returned at once. The same `idempotency-key` goes with every try. Resolves with the last
 * response; rejects with `SendError` only when no try got an HTTP answer.
 */
export async function send(url: string | URL, payload: unknown, options: SendOptions = {}): Promise<SendResult> {
  const policy = { ...defaultRetries, ...options.retries };
  const timeoutMs = options.timeoutMs ?? 10_000;
  // Bad options are programming errors: fail at once rather than retry (or wait) forever.
  const target = new URL(url);
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1) throw new RangeError('send: retries.attempts must be a whole number ≥ 1');
  for (const [name, value] of [
    ['retries.baseMs', policy.baseMs],
    ['retries.maxMs', policy.maxMs],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`send: ${name} must be a number ≥ 0`);
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError('send: timeoutMs must be a number > 0');
  const attemptsAllowed = policy.attempts;
  const idempotencyKey = options.idempotencyKey ?? randomUUID();
  const scheme = options.scheme ?? 'uptiq';
  const sleep = options.sleep ?? ((ms: number) => delay(ms, undefined, options.signal ? { signal: options.signal } : undefined));
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? fetch;
  const body = bodyText(payload);
  // Sign once up front so a bad key or scheme fails before any request is made.
  if (options.key !== undefined) sign(body, options.key, scheme);

  for (let attempt = 1; ; attempt++) {
    // Re-signed per try: the timestamped schemes reject a signature older than their tolerance.
    const signature = options.key === undefined ? {} : sign(body, options.key, scheme, { nowMs: now(), id: idempotencyKey });
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await doFetch(target, {
        method: 'POST',
        headers: {
          'user-agent': 'hookflow-sdk',
          ...options.headers,
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
          ...signature,
        },
        body,
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      const reason = timeout.aborted ? `timed out after ${timeoutMs} ms` : errorMessage(err);
      if (attempt >= attemptsAllowed)
        throw new SendError(`POST ${target} failed after ${attempt} attempt(s): ${reason}`, attempt, idempotencyKey, { cause: err });
      const delayMs = backoffDelay(attempt - 1, policy, random);
      options.onRetry?.({ attempt, delayMs, reason });
      await sleep(delayMs);
      continue;
    }
    const text = await response.text().catch(() => '');
    if (!isRetryableStatus(response.status) || attempt >= attemptsAllowed) {
      return { status: response.status, ok: response.ok, body: parseBody(text), attempts: attempt, idempotencyKey };
    }
    const delayMs = parseRetryAfter(response.headers.get('retry-after'), now()) ?? backoffDelay(attempt - 1, policy, random);
    options.onRetry?.({ attempt, delayMs, reason: response.status });
    await sleep(delayMs);
  }
}
