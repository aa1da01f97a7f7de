import {
  deliveryJob,
  jsonDepthExceeds,
  problem,
  ProblemError,
  signalNamePattern,
  wakeJob,
  webhookDefaults,
  type DeliverySignals,
  type Headers,
  type Logger,
  type Problem,
  type ProblemCode,
  type QueueSet,
  type RedisClient,
  type SignalClaims,
  type SignalTokens,
} from '@hookflow/shared';
import { readJsonBody, type BodyRead } from '../ingest/ingest.js';

/** What taking a signal needs: the signal state on delivery records, the link key, and the queues to wake a job in. */
export interface SignalDeps {
  signals: DeliverySignals;
  tokens: SignalTokens;
  queues: QueueSet;
  redis: RedisClient;
  now: () => Date;
  log: Logger;
}

/** A signal as taken: the wait step finished with its body, and the delivery goes on. */
export interface SignalResumed {
  deliveryId: string;
  signal: string;
  status: 'resumed';
}

export type SignalResult =
  | { outcome: 'resumed'; resumed: SignalResumed }
  | { outcome: 'rejected'; problem: Problem }
  /** The client went away mid-body: nothing to answer. */
  | { outcome: 'aborted' };

/** A signal link's body: the limits of a webhook body with default options (1 MiB, 64 levels). */
export const signalBodyLimits = { maxBytes: webhookDefaults.maxBodyBytes, maxDepth: webhookDefaults.maxDepth } as const;

/** The one answer to every bad token: which check failed is not said. */
const invalidTokenDetail = 'the signal link is not valid or has expired';

const rejected = (code: ProblemCode, detail: string): SignalResult => ({ outcome: 'rejected', problem: problem(code, detail) });

/**
 * Signals of `wait` steps (API.md §5.5; docs/waits.md): through a signed link, whose token is the credential, or by an
 * admin. Either way the signal is taken by one script on the delivery record (`DeliverySignals.receive`), and a
 * delivery that was waiting for it has its parked job promoted.
 */
export class SignalService {
  constructor(private readonly deps: SignalDeps) {}

  /** The claims of a link's token, or null for a tampered, malformed or expired one. */
  claims(token: string): SignalClaims | null {
    const check = this.deps.tokens.verify(token, this.deps.now());
    return check.ok ? { deliveryId: check.deliveryId, signal: check.signal, expiresAt: check.expiresAt } : null;
  }

  /**
   * `POST /signals/{token}`: the token is checked first, before any body is read; then the body gets the checks a
   * webhook body gets (size, media type, depth, JSON); then the signal is taken. Refusals are values, as ingest's are.
   */
  async withToken(request: { token: string; headers: Headers; readBody: (limit: number) => Promise<BodyRead> }): Promise<SignalResult> {
    const claims = this.claims(request.token);
    if (!claims) return rejected('signal_token_invalid', invalidTokenDetail);
    const read = await readJsonBody(request, signalBodyLimits.maxBytes, tooLarge);
    if (!read.ok) return 'aborted' in read ? { outcome: 'aborted' } : { outcome: 'rejected', problem: read.problem };
    if (jsonDepthExceeds(read.body, signalBodyLimits.maxDepth))
      return rejected('payload_too_deep', `the body nests arrays and objects deeper than ${signalBodyLimits.maxDepth} levels`);
    let body: unknown;
    try {
      body = JSON.parse(read.body.toString('utf8'));
    } catch {
      return rejected('invalid_json', 'the body is not valid JSON');
    }
    return this.#take(claims.deliveryId, claims.signal, body);
  }

  /** `POST /api/v1/deliveries/{deliveryId}/signals/{name}`: an admin's signal (no body: null); a refusal is a `ProblemError`. */
  async asAdmin(deliveryId: string, signal: string, body: unknown): Promise<SignalResumed> {
    const result = signalNamePattern.test(signal)
      ? await this.#take(deliveryId, signal, body ?? null)
      : notWaiting(deliveryId, signal.slice(0, 64));
    if (result.outcome === 'resumed') return result.resumed;
    if (result.outcome === 'rejected') throw new ProblemError(result.problem.code, result.problem.detail);
    throw new Error('an admin signal has no body to abort');
  }

  async #take(deliveryId: string, signal: string, body: unknown): Promise<SignalResult> {
    // Re-serialised, so the step's output is exactly what any JSON reader makes of the body (the record embeds it as is).
    const receipt = await this.deps.signals.receive(deliveryId, signal, JSON.stringify(body), this.deps.now());
    switch (receipt.outcome) {
      case 'not_found':
        return notWaiting(deliveryId, signal);
      case 'already_received':
        return rejected('signal_already_received', `delivery ${deliveryId} already received signal ${signal}`);
      case 'resumed':
        // Not delayed yet (its worker is still parking it): that worker looks again after the move and promotes it.
        if (receipt.wake) {
          await wakeJob(this.deps.redis, deliveryJob(this.deps.queues.get(receipt.queue), deliveryId)).catch((err: Error) =>
            this.deps.log.debug({ deliveryId, err: err.message }, 'resumed job not promoted here (not parked yet)'),
          );
        }
        return { outcome: 'resumed', resumed: { deliveryId, signal, status: 'resumed' } };
    }
  }
}

function notWaiting(deliveryId: string, signal: string): SignalResult {
  return rejected('signal_not_found', `delivery ${deliveryId.slice(0, 100)} is not waiting for signal ${signal}`);
}

function tooLarge(): Problem {
  return problem('payload_too_large', `the body is over ${signalBodyLimits.maxBytes} bytes`);
}
