import { isRetryableStatus } from '@hookflow/protocol';
import { WorkflowError } from '../errors/workflow-error.js';
import { StepTimeoutError } from '../errors/step-timeout-error.js';
import type { HttpOutput, HttpStepOptions } from '@hookflow/shared';
import { parseOutboundUrl, type OutboundHttp, type OutboundResponse } from '../egress/outbound-http.js';

const defaultTimeoutMs = 30_000;

/**
 * One HTTP call of an `http` or `notify` step, through the egress-checked client. Network errors, timeouts, 408, 429
 * and 5xx are retryable; any other non-2xx status is not (the same request would be refused again), so the delivery
 * fails at once, as do a refused destination (`egress_denied`) and an oversized answer (`response_too_large`).
 */
export async function httpRequest(options: HttpStepOptions, signal: AbortSignal, outbound: OutboundHttp): Promise<HttpOutput> {
  const method = (options.method ?? 'GET').toUpperCase();
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const url = parseOutboundUrl(options.url);

  const headers: Record<string, string> = { 'user-agent': 'hookflow', ...lowerKeys(options.headers ?? {}) };
  let body: string | undefined;
  if (options.body !== undefined && method !== 'GET' && method !== 'HEAD') {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= typeof options.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  }
  const timeout = AbortSignal.timeout(timeoutMs);
  let res: OutboundResponse;
  try {
    res = await outbound.request(url, { method, headers, body, signal: AbortSignal.any([signal, timeout]) });
  } catch (err) {
    if (timeout.aborted) throw new StepTimeoutError(`${method} ${url.origin}${url.pathname} did not answer within ${timeoutMs} ms`);
    if (signal.aborted) throw signal.reason;
    if (err instanceof WorkflowError) throw err;
    throw new WorkflowError('network_error', `${method} ${url.origin}${url.pathname} failed: ${(err as Error).message}`, true, {
      cause: err,
    });
  }
  const output: HttpOutput = {
    status: res.status,
    headers: res.headers,
    body: parseBody(res.body.toString('utf8'), res.headers['content-type'] ?? null),
  };
  if (res.status >= 200 && res.status < 300) return output;
  const retryable = isRetryableStatus(res.status);
  throw new WorkflowError(
    retryable ? 'http_unavailable' : 'http_error',
    `${method} ${url.origin}${url.pathname} answered ${res.status}`,
    retryable,
  );
}

/** Header values rendered from templates may be numbers or booleans: sent as their text. */
function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

function parseBody(text: string, contentType: string | null): unknown {
  if (text === '') return null;
  if (contentType && /[/+]json\b/i.test(contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
