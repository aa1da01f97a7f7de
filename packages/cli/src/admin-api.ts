import { CliError } from './cli-error.js';
import { networkReason } from './unreachable.js';

interface Problem {
  code?: string;
  detail?: string;
  title?: string;
  errors?: { path?: string; message?: string }[];
}

/** One line out of a problem+json answer: its detail, the first validation errors, and its stable code. */
export function problemMessage(status: number, body: unknown, what: string): string {
  if (body && typeof body === 'object' && ('code' in body || 'detail' in body)) {
    const problem = body as Problem;
    const errors = (problem.errors ?? [])
      .slice(0, 3)
      .map((e) => (e.path ? `${e.path}: ${e.message}` : e.message))
      .join('; ');
    const detail = problem.detail ?? problem.title ?? `HTTP ${status}`;
    return `${detail}${errors ? ` (${errors})` : ''} [${problem.code ?? status}]`;
  }
  return `${what} answered HTTP ${status}${typeof body === 'string' && body.length > 0 && body.length < 120 && !body.includes('<') ? `: ${body.trim()}` : ''}`;
}

function parse(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface AdminApi {
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
}

/** A client of the admin API (`/api/v1`) that turns every failure into a one-line `CliError`. */
export function createAdminApi(baseUrl: string, token: () => string, timeoutMs = 30_000): AdminApi {
  return {
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const headers: Record<string, string> = { authorization: `Bearer ${token()}`, accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      try {
        res = await fetch(`${baseUrl}/api/v1${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new CliError(`cannot reach Hookflow at ${baseUrl} (${networkReason(err)})`, 1, { cause: err });
      }
      const parsed = parse(await res.text());
      if (!res.ok) throw new CliError(problemMessage(res.status, parsed, `${method} /api/v1${path}`));
      return parsed as T;
    },
  };
}
