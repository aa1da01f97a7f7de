import {
  deliveryJob,
  headerValue,
  jsonDepthExceeds,
  problem,
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
  type SignalTokens,
} from '@hookflow/shared';
import { mediaTypeProblem, type BodyRead } from '../ingest/ingest.js';

/** What taking a signal needs: the signal state on delivery records, the link key, and the queues to wake a job in. */
export interface SignalDeps {
  signals: DeliverySignals;
  tokens: SignalTokens;
  queues: QueueSet;
  redis: RedisClient;
  now: () => Date;
  log: Logger;
}

export type SignalResult =
  | { outcome: 'resumed'; deliveryId: string; signal: string }
  | { outcome: 'rejected'; problem: Problem }
  /** The client went away mid-body: nothing to answer. */
  | { outcome: 'aborted' };

/** A signal link's body: the limits of a webhook body with default options (1 MiB, 64 levels). */
export const signalBodyLimits = { maxBytes: webhookDefaults.maxBodyBytes, maxDepth: webhookDefaults.maxDepth } as const;

const rejected = (code: ProblemCode, detail: string): SignalResult => ({ outcome: 'rejected', problem: problem(code, detail) });

/** The one answer to every bad token: which check failed is not said. */
export const invalidTokenDetail = 'the signal link is not valid or has expired';

/**
 * `POST /signals/{token}`: the token is the credential (checked first, before any body is read), then the body gets
 * the checks a webhook body gets (size, media type, depth, JSON), then the signal is taken.
 */
export async function signalWithToken(deps: SignalDeps, request: { token: string; headers: Headers; readBody: (limit: number) => Promise<BodyRead> }): Promise<SignalResult> {
  const claims = deps.tokens.verify(request.token, deps.now());
  if (!claims.ok) return rejected('signal_token_invalid', invalidTokenDetail);
  const declaredLength = Number(headerValue(request.headers, 'content-length'));
  if (Number.isFinite(declaredLength) && declaredLength > signalBodyLimits.maxBytes) return tooLarge();
  const mediaType = mediaTypeProblem(headerValue(request.headers, 'content-type') ?? '');
  if (mediaType) return { outcome: 'rejected', problem: mediaType };
  const read = await request.readBody(signalBodyLimits.maxBytes);
  if (!read.ok) return read.reason === 'too_large' ? tooLarge() : { outcome: 'aborted' };
  if (jsonDepthExceeds(read.body, signalBodyLimits.maxDepth)) return rejected('payload_too_deep', `the body nests arrays and objects deeper than ${signalBodyLimits.maxDepth} levels`);
  let body: unknown;
  try {
    body = JSON.parse(read.body.toString('utf8'));
  } catch {
    return rejected('invalid_json', 'the body is not valid JSON');
  }
  return take(deps, claims.deliveryId, claims.signal, body);
}

/** `POST /api/v1/deliveries/{deliveryId}/signals/{name}`: an admin's signal, body already parsed (none is null). */
export function signalAsAdmin(deps: SignalDeps, deliveryId: string, signal: string, body: unknown): Promise<SignalResult> {
  if (!signalNamePattern.test(signal)) return Promise.resolve(notWaiting(deliveryId, signal.slice(0, 64)));
  return take(deps, deliveryId, signal, body ?? null);
}

async function take(deps: SignalDeps, deliveryId: string, signal: string, body: unknown): Promise<SignalResult> {
  // Re-serialised, so the step's output is exactly what any JSON reader makes of the body (the record embeds it as is).
  const receipt = await deps.signals.receive(deliveryId, signal, JSON.stringify(body), deps.now());
  switch (receipt.outcome) {
    case 'not_found':
      return notWaiting(deliveryId, signal);
    case 'already_received':
      return rejected('signal_already_received', `delivery ${deliveryId} already received signal ${signal}`);
    case 'resumed':
      // Not delayed yet (its worker is still parking it): that worker looks again after the move and promotes it.
      if (receipt.wake) {
        await wakeJob(deps.redis, deliveryJob(deps.queues.get(receipt.queue), deliveryId)).catch((err: Error) => deps.log.debug({ deliveryId, err: err.message }, 'resumed job not promoted here (not parked yet)'));
      }
      return { outcome: 'resumed', deliveryId, signal };
  }
}

function notWaiting(deliveryId: string, signal: string): SignalResult {
  return rejected('signal_not_found', `delivery ${deliveryId.slice(0, 100)} is not waiting for signal ${signal}`);
}

function tooLarge(): SignalResult {
  return rejected('payload_too_large', `the body is over ${signalBodyLimits.maxBytes} bytes`);
}
