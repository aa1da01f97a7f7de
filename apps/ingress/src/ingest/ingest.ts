import {
  getScheme,
  deliveryJobOptions,
  jsonDepthExceeds,
  isKeyActive,
  newId,
  problem,
  webhookDefaults,
  headerValue,
  type Headers,
  type Problem,
  type DeliveryEnqueuer,
  type FieldError,
  type WebhookRecord,
  type FlowControl,
  type FlowKeys,
  type RetryPolicy,
  effectiveFlowControl,
  KeyExpressionError,
} from '@hookflow/shared';
import type { WebhookCache } from './webhook-cache.js';
import { storedHeaders } from './stored-headers.js';
import { dedupeKeyOf } from './dedupe-key.js';
import type { Deduper } from './deduper.js';
import { foreignCharset } from '../http/charset.js';

export type BodyRead = { ok: true; body: Buffer } | { ok: false; reason: 'too_large' | 'aborted' };

export interface IngestRequest {
  webhookId: string;
  headers: Headers;
  /** Reads the body, stopping (and failing with `too_large`) past `limit` bytes. */
  readBody: (limit: number) => Promise<BodyRead>;
}

export type IngestResult =
  | { outcome: 'accepted'; deliveryId: string; status: 'queued' | 'held' }
  | { outcome: 'duplicate'; deliveryId: string }
  | { outcome: 'rejected'; problem: Problem; retryAfterSeconds?: number }
  /** The client went away mid-body: nothing to answer. */
  | { outcome: 'aborted' };

/**
 * What ingest() needs of each collaborator, and nothing more (types only: the route passes the real objects), so the
 * decisions can be checked against in-memory stand-ins.
 */
export interface IngestDeps {
  cache: Pick<WebhookCache, 'get'>;
  enqueuer: Pick<DeliveryEnqueuer, 'enqueue'>;
  now: () => Date;
  /** Called when a delivery could not be stored, for logs and metrics (never with secrets). */
  onStoreFailure?: (err: unknown) => void;
  /** 422 `payload_invalid`: checks an authentic payload against the bound workflow's input schema; null when it fits. */
  validateInput?: (workflow: string, payload: unknown) => Promise<FieldError[] | null>;
  /** The bound workflow's own retry policy, used where the webhook's options do not set attempts/backoff. */
  workflowRetry?: (workflow: string) => Promise<RetryPolicy | undefined>;
  /** The bound workflow's own concurrency and debounce (API.md §5.4); the webhook's options win over them. */
  workflowFlow?: (workflow: string) => Promise<FlowControl | undefined>;
  /** Evaluates the keys of a delivery that has flow control; without it none is applied. */
  flowKeys?: FlowKeys;
  /** 429 `rate_limited`: counts an authentic request against the webhook's limit. */
  rateLimit?: (webhook: WebhookRecord) => Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }>;
  /** 503 `unavailable` while the target queue's backlog (a cached count) is at its limit. */
  backlog?: { isFull: (queue: string) => boolean; retryAfterSeconds: number };
  /** 200 `duplicate`: stores a request at most once per dedupe key and window; without it nothing is deduplicated. */
  dedupe?: Pick<Deduper, 'once'>;
  /** Largest body the `uptiq` canonical fallback re-serialises (`HOOKFLOW_CANONICAL_MAX_BYTES`; the scheme's default when unset). */
  canonicalMaxBytes?: number;
}

const jsonContentType = /^application\/json\s*(;.*)?$/i;

/** 415 unless `application/json` in UTF-8 (no charset parameter, or `utf-8` in any case): the body is decoded as UTF-8. */
function mediaTypeProblem(contentType: string): Problem | null {
  if (!jsonContentType.test(contentType)) return problem('unsupported_media_type', 'Content-Type must be application/json');
  if (foreignCharset(contentType) !== undefined) return problem('unsupported_media_type', 'the charset must be utf-8');
  return null;
}

/** A public JSON body as read: its bytes, the refusal to answer, or nothing to answer (the client went away). */
export type JsonBodyRead = { ok: true; body: Buffer } | { ok: false; problem: Problem } | { ok: false; aborted: true };

/**
 * Reads the body of a public JSON request (a webhook's, a signal link's): a declared length over `maxBytes` and a media
 * type other than JSON in UTF-8 are refused before a byte is read, and reading stops at `maxBytes`.
 */
export async function readJsonBody(
  request: Pick<IngestRequest, 'headers' | 'readBody'>,
  maxBytes: number,
  tooLarge: () => Problem,
): Promise<JsonBodyRead> {
  const declaredLength = Number(headerValue(request.headers, 'content-length'));
  if (Number.isFinite(declaredLength) && declaredLength > maxBytes) return { ok: false, problem: tooLarge() };
  const mediaType = mediaTypeProblem(headerValue(request.headers, 'content-type') ?? '');
  if (mediaType) return { ok: false, problem: mediaType };
  const read = await request.readBody(maxBytes);
  if (read.ok) return read;
  return read.reason === 'too_large' ? { ok: false, problem: tooLarge() } : { ok: false, aborted: true };
}

/**
 * The public ingest path, free of any web framework: checks run in API.md's order, and the outcome is a value
 * the route turns into a status. Only a delivery Redis confirmed is `accepted`.
 */
export async function ingest(deps: IngestDeps, request: IngestRequest): Promise<IngestResult> {
  const cached = await loadWebhook(deps, request.webhookId);
  if (!cached.ok) return cached.result;
  const { webhook, secrets } = cached.value;
  if (webhook.status === 'disabled') return reject(problem('webhook_disabled', 'this webhook is disabled'));

  const maxBodyBytes = webhook.options.maxBodyBytes ?? webhookDefaults.maxBodyBytes;
  const read = await readJsonBody(request, maxBodyBytes, () => tooLarge(maxBodyBytes));
  if (!read.ok) return 'aborted' in read ? { outcome: 'aborted' } : reject(read.problem);
  const rawBody = read.body;

  // Parsed at most once, shared by verification (canonical form) and the rest of the path.
  let parsed: { value: unknown } | { error: unknown } | undefined;
  const parsedBody = (): unknown => {
    parsed ??= parseJson(rawBody);
    if ('error' in parsed) throw parsed.error;
    return parsed.value;
  };

  const nowMs = deps.now().getTime();
  const scheme = getScheme(webhook.scheme);
  const verdict = scheme.verify({
    rawBody,
    headers: request.headers,
    secrets: secrets.filter((key) => isKeyActive(key, nowMs)).map((key) => key.secret),
    nowMs,
    parsedBody,
    canonicalMaxBytes: deps.canonicalMaxBytes,
  });
  if (!verdict.ok) return reject(problem(verdict.code, verdict.detail));

  // Authentic from here on. A scan of the bytes, before the payload is parsed: nothing deeper than the limit goes on.
  const maxDepth = webhook.options.maxDepth ?? webhookDefaults.maxDepth;
  if (jsonDepthExceeds(rawBody, maxDepth)) {
    return reject(problem('payload_too_deep', `the body nests arrays and objects deeper than this webhook's limit of ${maxDepth} levels`));
  }

  let payload: unknown;
  try {
    payload = parsedBody();
  } catch {
    return reject(problem('invalid_json', 'the body is not valid JSON'));
  }

  let workflowRetry: Awaited<ReturnType<NonNullable<IngestDeps['workflowRetry']>>>;
  let flow: FlowControl;
  try {
    const errors = deps.validateInput ? await deps.validateInput(webhook.workflow, payload) : null;
    if (errors) return reject(problem('payload_invalid', `the payload does not fit the input of workflow ${webhook.workflow}`, { errors }));
    workflowRetry = deps.workflowRetry ? await deps.workflowRetry(webhook.workflow) : undefined;
    flow = effectiveFlowControl(webhook.options, deps.workflowFlow ? await deps.workflowFlow(webhook.workflow) : undefined);
    const limited = deps.rateLimit ? await deps.rateLimit(webhook) : { ok: true as const };
    if (!limited.ok) return reject(problem('rate_limited', 'too many requests for this webhook'), limited.retryAfterSeconds);
  } catch (err) {
    deps.onStoreFailure?.(err);
    return unavailable();
  }

  const queue = webhook.options.queue ?? webhookDefaults.queue;
  if (deps.backlog?.isFull(queue)) {
    return reject(problem('unavailable', 'the queue backlog is over its limit; retry later'), deps.backlog.retryAfterSeconds);
  }

  const deliveryId = newId('dlv');
  const status = webhook.status === 'paused' ? 'held' : 'queued';
  const dedupeKey = dedupeKeyOf(webhook, scheme, request.headers, parsedBody);
  const receivedAt = new Date(nowMs).toISOString();
  const headers = storedHeaders(request.headers);
  let keyed: Awaited<ReturnType<FlowKeys['evaluate']>> = {};
  if (deps.flowKeys && (flow.concurrency || flow.debounce)) {
    try {
      keyed = await deps.flowKeys.evaluate(flow, {
        payload,
        headers,
        delivery: { id: deliveryId, webhookId: webhook.id, agentId: webhook.agentId, workflow: webhook.workflow, receivedAt },
      });
    } catch (err) {
      if (!(err instanceof KeyExpressionError)) throw err;
      return reject(problem('payload_invalid', err.message));
    }
  }
  const jobOptions = deliveryJobOptions(webhook.options, workflowRetry);
  const store = () =>
    deps.enqueuer.enqueue({
      delivery: {
        id: deliveryId,
        webhookId: webhook.id,
        agentId: webhook.agentId,
        workflow: webhook.workflow,
        status,
        receivedAt,
        dedupeKey: dedupeKey ?? null,
        headers,
        // What the signature covers: the raw bytes, or the canonical text when only that matched.
        payloadJson: verdict.signedBody ?? rawBody.toString('utf8'),
        replayOf: null,
        queue,
        ...keyed,
      },
      jobOptions: keyed.debounce ? { ...jobOptions, delay: keyed.debounce.periodMs } : jobOptions,
    });
  try {
    if (dedupeKey !== undefined && deps.dedupe) {
      const windowSeconds = webhook.options.dedupe?.windowSeconds ?? webhookDefaults.dedupeWindowSeconds;
      const outcome = await deps.dedupe.once(webhook.id, dedupeKey, deliveryId, windowSeconds, store);
      if (!outcome.stored) return { outcome: 'duplicate', deliveryId: outcome.duplicateOf };
    } else {
      await store();
    }
  } catch (err) {
    deps.onStoreFailure?.(err);
    return unavailable();
  }
  return { outcome: 'accepted', deliveryId, status };
}

type Loaded = { ok: true; value: NonNullable<Awaited<ReturnType<WebhookCache['get']>>> } | { ok: false; result: IngestResult };

async function loadWebhook(deps: IngestDeps, webhookId: string): Promise<Loaded> {
  try {
    const value = await deps.cache.get(webhookId);
    if (!value) return { ok: false, result: reject(problem('webhook_not_found', `no webhook ${webhookId.slice(0, 40)}`)) };
    return { ok: true, value };
  } catch (err) {
    deps.onStoreFailure?.(err);
    return { ok: false, result: unavailable() };
  }
}

function parseJson(raw: Buffer): { value: unknown } | { error: unknown } {
  try {
    return { value: JSON.parse(raw.toString('utf8')) };
  } catch (error) {
    return { error };
  }
}

function reject(p: Problem, retryAfterSeconds?: number): IngestResult {
  return retryAfterSeconds === undefined ? { outcome: 'rejected', problem: p } : { outcome: 'rejected', problem: p, retryAfterSeconds };
}

function tooLarge(limit: number): Problem {
  return problem('payload_too_large', `the body is larger than this webhook's limit of ${limit} bytes`);
}

function unavailable(): IngestResult {
  return reject(problem('unavailable', 'the delivery could not be stored right now; retry later'), 5);
}
