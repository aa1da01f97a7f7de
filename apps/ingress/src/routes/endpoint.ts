import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import { ProblemError } from '@hookflow/shared';
import type { OperationDoc } from '../api/operation.js';
import { validate } from '../http/validate.js';

/** The names in `{…}` of a path such as `/webhooks/{webhookId}/keys`. */
type PathParams<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? Name | PathParams<Rest> : never;

export interface BodySpec {
  schema: z.ZodType;
  /** An absent body is read as `{}` (every field of the schema is optional). */
  optional?: boolean;
  /** What a refusal names: "the <what> is invalid: …" (default: request body). */
  what?: string;
  /** Fields the path parameter of the same name fills in when the body leaves them out (a body may repeat them). */
  fromPath?: readonly string[];
}

/**
 * One endpoint of the admin API: how its request is parsed and what it answers, which is also what the OpenAPI
 * document says of it. `path` is relative to `/api/v1`.
 */
export interface EndpointSpec extends Omit<OperationDoc, 'admin' | 'body'> {
  body?: BodySpec;
  /** Only the admin token may call it, reads included: the read-only token gets 403 `forbidden` with this detail. */
  adminOnly?: string;
}

type QueryOf<E> = E extends { query: infer Q extends z.ZodType } ? z.output<Q> : undefined;
type BodyOf<E> = E extends { body: { schema: infer S extends z.ZodType } } ? z.output<S> : undefined;
type ResultOf<E> = E extends { ok: { schema: infer S extends z.ZodType } } ? z.output<S> : void;

/** The parsed request. `req` and `res` are there for what is not parsing: the socket, a response header. */
export interface EndpointInput<E extends EndpointSpec> {
  params: Record<PathParams<E['path']>, string>;
  query: QueryOf<E>;
  body: BodyOf<E>;
  req: Request;
  res: Response;
}

/** An answer with another status than the endpoint's `ok` (one of its `also`). */
export class Answer {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

export type EndpointHandler<E extends EndpointSpec> = (input: EndpointInput<E>) => Promise<ResultOf<E> | Answer>;

/** Declares a route module's endpoints; `const` keeps each path literal, so handlers see their parameters by name. */
export function defineEndpoints<const E extends Record<string, EndpointSpec>>(endpoints: E): E {
  return endpoints;
}

/** A router with the endpoints it serves, so the OpenAPI document lists exactly what is mounted. */
export type EndpointRouter = Router & { readonly endpoints: readonly EndpointSpec[] };

/**
 * A router serving every endpoint of `endpoints` with its handler: it parses the query and body (400
 * `invalid_request` listing every bad field), calls the handler, and answers with its result as JSON under the
 * endpoint's `ok` status (no body for `undefined`).
 */
export function mountEndpoints<E extends Record<string, EndpointSpec>>(
  endpoints: E,
  handlers: { [K in keyof E]: EndpointHandler<E[K]> },
): EndpointRouter {
  const router = Object.assign(Router(), { endpoints: Object.values(endpoints) });
  for (const name of Object.keys(endpoints) as (keyof E & string)[]) {
    const spec = endpoints[name]!;
    const handle = handlers[name] as (input: EndpointInput<EndpointSpec>) => Promise<unknown>;
    router[spec.method](expressPath(spec.path), async (req: Request, res: Response) => {
      if (spec.adminOnly !== undefined && res.locals.role !== 'admin') throw new ProblemError('forbidden', spec.adminOnly);
      const params = req.params as Record<string, string>;
      const query = spec.query ? validate(spec.query, req.query, 'query') : undefined;
      const body = spec.body ? parseBody(spec.body, req.body, params) : undefined;
      const result = await handle({ params, query, body, req, res } as EndpointInput<EndpointSpec>);
      const { status, body: answer } = result instanceof Answer ? result : { status: spec.ok.status, body: result };
      if (answer === undefined) res.status(status).end();
      else res.status(status).json(answer);
    });
  }
  return router;
}

function parseBody(spec: BodySpec, raw: unknown, params: Record<string, string>): unknown {
  const body = spec.optional ? (raw ?? {}) : raw;
  return validate(spec.schema, spec.fromPath ? withPathFields(body, spec.fromPath, params) : body, spec.what);
}

function withPathFields(body: unknown, fields: readonly string[], params: Record<string, string>): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const missing = fields.filter((field) => !(field in body));
  return missing.length === 0 ? body : { ...body, ...Object.fromEntries(missing.map((field) => [field, params[field]])) };
}

/** `/webhooks/{webhookId}` as Express writes it: `/webhooks/:webhookId`. */
export function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/** The endpoints as the OpenAPI document lists them: under `/api/v1`, behind the admin token. */
export function adminOperations(endpoints: readonly EndpointSpec[]): OperationDoc[] {
  return endpoints.map(({ adminOnly: _adminOnly, body, ...spec }) => ({
    ...spec,
    path: `/api/v1${spec.path}`,
    admin: true,
    ...(body ? { body: { schema: body.schema, optional: body.optional ?? false, fromPath: body.fromPath ?? [] } } : {}),
  }));
}
