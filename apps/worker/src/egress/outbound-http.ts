import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Agent, buildConnector, request, type Dispatcher } from 'undici';
import { EgressDeniedError } from '../errors/egress-denied-error.js';
import { ResponseTooLargeError } from '../errors/response-too-large-error.js';
import { WorkflowError } from '../errors/workflow-error.js';
import { EgressPolicy } from './egress-policy.js';

/** Plain values (from WorkerConfig), so the client can be built wherever a run executes. */
export interface OutboundSettings {
  /** `HOOKFLOW_EGRESS_ALLOW` entries, already validated by the configuration. */
  allow: readonly string[];
  /** `HOOKFLOW_MAX_RESPONSE_BYTES`: reading a body stops past this many bytes. */
  maxResponseBytes: number;
  /** Redirects followed per request (default 10); each one connects through the same check. */
  maxRedirects?: number;
}

export interface OutboundRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export interface OutboundResponse {
  status: number;
  /** Lower-cased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Buffer;
  /** Where the answer came from, after redirects. */
  url: URL;
}

/** The one way workflow steps reach the network: `http`, `notify` and the `llm` provider all call through it. */
export interface OutboundHttp {
  request(url: URL, init: OutboundRequest): Promise<OutboundResponse>;
  close(): Promise<void>;
}

const defaultMaxRedirects = 10;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);
/** Headers that carry the caller's identity: not sent on to another origin a redirect points at. */
const credentialHeaders = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * Parses a step's URL: `invalid_url` when it is not an absolute URL or carries credentials, `egress_denied` for a
 * scheme other than http and https. Where it may connect is decided later, on the resolved address.
 */
export function parseOutboundUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WorkflowError('invalid_url', `not an absolute URL: ${text.slice(0, 200)}`, false);
  }
  checkTarget(url);
  return url;
}

/** What is checked before connecting, for a step's URL and for every redirect. */
function checkTarget(url: URL): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new EgressDeniedError(`egress denied: only http and https URLs are allowed, not ${url.protocol.slice(0, 40)}`);
  if (url.username || url.password)
    throw new WorkflowError(
      'invalid_url',
      `URLs with credentials are not allowed (${url.protocol}//${url.host}); send them in a header`,
      false,
    );
}

/** Builds the client: an undici Agent whose connect step checks every address it connects to. */
export function createOutboundHttp(settings: OutboundSettings): OutboundHttp {
  const policy = EgressPolicy.fromEntries(settings.allow);
  const agent = new Agent({ connect: guardedConnector(policy) });
  const maxRedirects = settings.maxRedirects ?? defaultMaxRedirects;

  return {
    async request(url, init) {
      let current = url;
      let { method, body } = init;
      let headers = withoutTransportHeaders(init.headers);
      for (let redirects = 0; ; redirects++) {
        checkTarget(current);
        const res = await send(agent, current, { method, headers, body, signal: init.signal });
        const location = header(res.headers, 'location');
        if (redirectStatuses.has(res.statusCode) && location !== undefined) {
          await res.body.dump();
          if (redirects >= maxRedirects)
            throw new WorkflowError(
              'too_many_redirects',
              `${method} ${current.origin}${current.pathname} redirected more than ${maxRedirects} times`,
              false,
            );
          let next: URL;
          try {
            next = new URL(location, current);
          } catch {
            throw new WorkflowError('invalid_url', `${current.origin}${current.pathname} redirected to an invalid URL`, false);
          }
          // As browsers do: 303 (and 301/302 after a POST) continue as a GET without the body.
          if (res.statusCode === 303 ? method !== 'HEAD' : (res.statusCode === 301 || res.statusCode === 302) && method === 'POST') {
            method = 'GET';
            body = undefined;
            headers = omit(headers, ['content-type']);
          }
          if (next.origin !== current.origin) headers = omit(headers, credentialHeaders);
          current = next;
          continue;
        }
        const data = await readCapped(res, settings.maxResponseBytes, `${method} ${current.origin}${current.pathname}`);
        return { status: res.statusCode, headers: flattenHeaders(res.headers), body: data, url: current };
      }
    },
    close: () => agent.close(),
  };
}

async function send(agent: Agent, url: URL, init: OutboundRequest): Promise<Dispatcher.ResponseData> {
  try {
    return await request(url, {
      dispatcher: agent,
      method: init.method as Dispatcher.HttpMethod,
      headers: init.headers,
      body: init.body,
      signal: init.signal,
    });
  } catch (err) {
    // A header or method undici refuses would be refused on every try.
    if ((err as { code?: string }).code === 'UND_ERR_INVALID_ARG')
      throw new WorkflowError('invalid_http_request', `${init.method} ${url.origin}${url.pathname}: ${(err as Error).message}`, false);
    throw err;
  }
}

/**
 * The connect step: resolves the host (every address), keeps the permitted ones and connects to the first, with the
 * host name still the TLS server name. Deciding here, on the address actually dialled, means no spelling of an
 * address, DNS answer or redirect can reach what the policy refuses. A host name that is allowed as such connects
 * wherever it resolves.
 */
function guardedConnector(policy: EgressPolicy): buildConnector.connector {
  const connect = buildConnector({});
  return (options, callback) => {
    const { hostname } = options;
    const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
    if (policy.allowsName(hostname, port)) {
      connect(options, callback);
      return;
    }
    const literal = isIP(hostname) !== 0;
    permittedAddress(policy, hostname, literal, port)
      .then((address) =>
        connect({ ...options, hostname: address, ...(literal ? {} : { servername: options.servername || hostname }) }, callback),
      )
      .catch((err: Error) => callback(err, null));
  };
}

/** The first address of `hostname` the policy permits on `port`; `EgressDeniedError` naming the first refusal if none. */
async function permittedAddress(policy: EgressPolicy, hostname: string, literal: boolean, port: number): Promise<string> {
  const addresses = literal ? [hostname] : (await lookup(hostname, { all: true })).map((entry) => entry.address);
  let refusal = `${hostname}:${port} resolves to no address`;
  for (const [i, address] of addresses.entries()) {
    const verdict = policy.check(address, port);
    if (verdict.allowed) return address;
    if (i === 0)
      refusal = literal
        ? `${bracket(address)}:${port} ${verdict.reason}`
        : `${hostname}:${port} resolves to ${address}, which ${verdict.reason}`;
  }
  throw new EgressDeniedError(`egress denied: ${refusal}; HOOKFLOW_EGRESS_ALLOW can allow an internal service`);
}

/** Reads at most `max` bytes: past that the stream is destroyed (closing the connection) and the step fails. */
async function readCapped(res: Dispatcher.ResponseData, max: number, what: string): Promise<Buffer> {
  const tooLarge = () =>
    new ResponseTooLargeError(`${what} answered more than ${max} bytes (HOOKFLOW_MAX_RESPONSE_BYTES); reading stopped there`);
  const declared = Number(header(res.headers, 'content-length'));
  if (Number.isFinite(declared) && declared > max) {
    res.body.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      res.body.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** Framing is the client's business: a step's own Host, Content-Length or Connection header is dropped. */
function withoutTransportHeaders(headers: Record<string, string>): Record<string, string> {
  return omit(headers, ['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect', 'te', 'trailer']);
}

function omit(headers: Record<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name.toLowerCase())));
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}

function bracket(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}
