import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One answer an operation may give, as the OpenAPI document shows it. */
export interface ResponseDoc {
  status: number;
  description: string;
  /** The JSON body's schema. */
  schema?: z.ZodType;
  /** A body that is not JSON (Prometheus text, an HTML page). */
  contentType?: string;
}

/**
 * One operation of the HTTP surface, declared by the route module that serves it; the OpenAPI document is made of
 * these, so what it says of a request is what the route validates.
 */
export interface OperationDoc {
  method: HttpMethod;
  /** With `{name}` for each path parameter. */
  path: string;
  summary: string;
  tag: string;
  /** Needs the admin bearer token (the read-only token for reads, or the console session). */
  admin?: boolean;
  query?: z.ZodObject;
  /** A JSON body; `optional` when an absent one is read as `{}`; `fromPath`: required fields the path fills in when left out. */
  body?: { schema: z.ZodType; optional?: boolean; fromPath?: readonly string[] };
  headers?: readonly { name: string; description: string; required?: boolean }[];
  ok: ResponseDoc;
  /** Other successful answers. */
  also?: readonly ResponseDoc[];
  /** Status codes answered with problem+json (401 and 403 come with `admin`). */
  problems: readonly number[];
}
