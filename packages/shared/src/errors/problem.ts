/**
 * The catalogue of problem+json answers (RFC 9457). A `code` is part of the public contract (API.md): add new ones,
 * never rename one.
 */
export const problemCatalog = {
  webhook_not_found: { status: 404, title: 'Not Found' },
  webhook_disabled: { status: 403, title: 'Forbidden' },
  payload_too_large: { status: 413, title: 'Payload Too Large' },
  unsupported_media_type: { status: 415, title: 'Unsupported Media Type' },
  signature_missing: { status: 401, title: 'Unauthorized' },
  signature_invalid: { status: 401, title: 'Unauthorized' },
  timestamp_invalid: { status: 401, title: 'Unauthorized' },
  invalid_json: { status: 400, title: 'Bad Request' },
  payload_too_deep: { status: 400, title: 'Bad Request' },
  payload_invalid: { status: 422, title: 'Unprocessable Content' },
  rate_limited: { status: 429, title: 'Too Many Requests' },
  unavailable: { status: 503, title: 'Service Unavailable' },
  method_not_allowed: { status: 405, title: 'Method Not Allowed' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  invalid_request: { status: 400, title: 'Bad Request' },
  not_found: { status: 404, title: 'Not Found' },
  agent_not_found: { status: 404, title: 'Not Found' },
  agent_has_webhooks: { status: 409, title: 'Conflict' },
  workflow_not_found: { status: 422, title: 'Unprocessable Content' },
  workflow_in_use: { status: 409, title: 'Conflict' },
  limit_reached: { status: 409, title: 'Conflict' },
  key_not_found: { status: 404, title: 'Not Found' },
  delivery_not_found: { status: 404, title: 'Not Found' },
  delivery_finished: { status: 409, title: 'Conflict' },
  internal_error: { status: 500, title: 'Internal Server Error' },
  csrf_invalid: { status: 403, title: 'Forbidden' },
  signal_token_invalid: { status: 401, title: 'Unauthorized' },
  signal_not_found: { status: 404, title: 'Not Found' },
  signal_already_received: { status: 409, title: 'Conflict' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof problemCatalog;

export interface Problem {
  type: 'about:blank';
  title: string;
  status: number;
  code: ProblemCode;
  detail: string;
  [extra: string]: unknown;
}

export function problem(code: ProblemCode, detail: string, extra: Record<string, unknown> = {}): Problem {
  const { status, title } = problemCatalog[code];
  return { type: 'about:blank', title, status, code, detail, ...extra };
}

/** A field-level validation message, as listed in `errors` of 400 `invalid_request` and 422 `payload_invalid`. */
export interface FieldError {
  path: string;
  message: string;
}
