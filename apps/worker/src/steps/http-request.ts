import { WorkflowError } from '../errors/workflow-error.js';
import { StepTimeoutError } from '../errors/step-timeout-error.js';

export interface HttpStepOptions {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Default 30000 ms. */
  timeoutMs?: number;
}

export interface HttpOutput {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const defaultTimeoutMs = 30_000;
const maxResponseChars = 5_000_000;

/**
 * One HTTP call of an `http` or `notify` step. Network errors, timeouts, 408, 429 and 5xx are retryable; any other
 * non-2xx status is not (the same request would be refused again), so the delivery fails at once.
 */
export async function httpRequest(options: HttpStepOptions, signal: AbortSignal): Promise<HttpOutput> {
  const method = (options.method ?? 'GET').toUpperCase();
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new WorkflowError('invalid_url', `not an absolute URL: ${options.url.slice(0, 200)}`, false);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WorkflowError('invalid_url', `only http and https URLs are allowed: ${url.protocol}`, false);

  const headers: Record<string, string> = { 'user-agent': 'hookflow', ...lowerKeys(options.headers ?? {}) };
  let body: string | undefined;
  if (options.body !== undefined && method !== 'GET' && method !== 'HEAD') {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= typeof options.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  }
  const timeout = AbortSignal.timeout(timeoutMs);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { method, headers, body, signal: AbortSignal.any([signal, timeout]), redirect: 'follow' });
    text = await res.text();
  } catch (err) {
    if (timeout.aborted) throw new StepTimeoutError(`${method} ${url.origin}${url.pathname} did not answer within ${timeoutMs} ms`);
    if (signal.aborted) throw signal.reason;
    throw new WorkflowError('network_error', `${method} ${url.origin}${url.pathname} failed: ${(err as Error).message}`, true, { cause: err });
  }
  const output: HttpOutput = { status: res.status, headers: Object.fromEntries(res.headers), body: parseBody(text.slice(0, maxResponseChars), res.headers.get('content-type')) };
  if (res.ok) return output;
  const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
  throw new WorkflowError(retryable ? 'http_unavailable' : 'http_error', `${method} ${url.origin}${url.pathname} answered ${res.status}`, retryable);
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
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
