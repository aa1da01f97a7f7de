import type {
  Agent,
  Delivery,
  FieldError,
  List,
  OutboundSecret,
  QueueInfo,
  Session,
  SignalAnswer,
  TestEventAnswer,
  TestEventPreview,
  Webhook,
  WebhookStatus,
  WorkflowSummary,
} from './types';

export type { FieldError };

/** A refused or failed call, carrying the problem+json `code`, `detail` and field `errors` of API.md. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let signedOut: () => void = () => undefined;

/** The session's CSRF token, sent with every write (the session cookie itself is httpOnly). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the API answers 401: the session expired or was signed out elsewhere. */
export function onSignedOut(callback: () => void): void {
  signedOut = callback;
}

const enc = encodeURIComponent;

async function send<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'network_error', 'The server could not be reached. Check that Hookflow is running.');
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const problem = (data ?? {}) as { code?: string; detail?: string; title?: string; errors?: FieldError[] };
    if (res.status === 401 && url.startsWith('/api/')) signedOut();
    throw new ApiError(
      res.status,
      problem.code ?? `http_${res.status}`,
      problem.detail ?? problem.title ?? `The server answered ${res.status}.`,
      problem.errors ?? [],
    );
  }
  return data as T;
}

/** Every admin call the console makes: API.md's endpoints plus the console's session and test-event extensions. */
export const api = {
  session: () => send<Session>('GET', '/console/session'),
  signIn: (token: string) => send<Session>('POST', '/console/session', { token }),
  signOut: () => send<null>('DELETE', '/console/session'),

  agents: () => send<List<Agent>>('GET', '/api/v1/agents?limit=200'),
  agent: (agentId: string) => send<Agent>('GET', `/api/v1/agents/${enc(agentId)}`),
  createAgent: (body: { name: string; description?: string }) => send<Agent>('POST', '/api/v1/agents', body),
  deleteAgent: (agentId: string) => send<null>('DELETE', `/api/v1/agents/${enc(agentId)}`),
  /** The secret the agent's notify steps sign with (admin token only): shown only when the user asks to reveal it. */
  outboundSecret: (agentId: string) => send<OutboundSecret>('GET', `/api/v1/agents/${enc(agentId)}/outbound-secret`),

  workflows: () => send<List<WorkflowSummary>>('GET', '/api/v1/workflows'),
  putWorkflow: (name: string, definition: unknown) => send<WorkflowSummary>('PUT', `/api/v1/workflows/${enc(name)}`, definition),

  /** Every webhook of the agent: the list is paged (at most 200 a page), so follow `nextCursor` to the end. */
  webhooks: async (agentId: string): Promise<List<Webhook>> => {
    const items: Webhook[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${enc(cursor)}` : '';
      const page: List<Webhook> = await send<List<Webhook>>('GET', `/api/v1/agents/${enc(agentId)}/webhooks?limit=200${query}`);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return { items, nextCursor: null };
  },
  createWebhook: (agentId: string, body: { workflow: string; name?: string; scheme?: string }) =>
    send<Webhook>('POST', `/api/v1/agents/${enc(agentId)}/webhooks`, body),
  setStatus: (webhookId: string, status: WebhookStatus) => send<Webhook>('PATCH', `/api/v1/webhooks/${enc(webhookId)}`, { status }),
  deleteWebhook: (webhookId: string) => send<null>('DELETE', `/api/v1/webhooks/${enc(webhookId)}`),
  /** Generates a new primary key; the answer carries the secret, which the console deliberately does not show. */
  generateKey: (webhookId: string, graceSeconds = 0) => send<unknown>('POST', `/api/v1/webhooks/${enc(webhookId)}/keys`, { graceSeconds }),
  privateKeyUrl: (webhookId: string) => `/api/v1/webhooks/${enc(webhookId)}/private-key`,
  /** What a test event without a payload would send: the workflow's example, or a sample fitting its input schema. */
  testEventPreview: (webhookId: string) => send<TestEventPreview>('GET', `/api/v1/webhooks/${enc(webhookId)}/test-event`),
  sendTestEvent: (webhookId: string, payload: unknown) =>
    send<TestEventAnswer>('POST', `/api/v1/webhooks/${enc(webhookId)}/test-event`, { payload }),

  deliveries: (webhookId: string, status: string) =>
    send<List<Delivery>>('GET', `/api/v1/webhooks/${enc(webhookId)}/deliveries?limit=50${status ? `&status=${enc(status)}` : ''}`),
  delivery: (deliveryId: string) => send<Delivery>('GET', `/api/v1/deliveries/${enc(deliveryId)}`),
  replay: (deliveryId: string) =>
    send<{ deliveryId: string; replayOf: string }>('POST', `/api/v1/deliveries/${enc(deliveryId)}/replay`, {}),
  cancel: (deliveryId: string) => send<Delivery>('POST', `/api/v1/deliveries/${enc(deliveryId)}/cancel`, {}),
  /** Sends the signal a waiting delivery's `wait` step waits for; `body` becomes the step's output. */
  signal: (deliveryId: string, name: string, body: unknown) =>
    send<SignalAnswer>('POST', `/api/v1/deliveries/${enc(deliveryId)}/signals/${enc(name)}`, body),
  retryFailed: (webhookId: string) => send<{ retried: number }>('POST', `/api/v1/webhooks/${enc(webhookId)}/deliveries/retry-failed`, {}),

  queues: () => send<List<QueueInfo>>('GET', '/api/v1/queues'),
};

/** A one-line message for any error, for inline display. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
