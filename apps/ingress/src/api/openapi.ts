import { z } from 'zod';
import type { OperationDoc, ResponseDoc } from './operation.js';
import { problemResponse } from './schemas.js';

type JsonSchema = Record<string, unknown>;

/**
 * Turns zod schemas into JSON Schema 2020-12 (OpenAPI 3.1's dialect), collecting shared ones in `components`.
 * Schemas named with `.meta({ id })` come out as `$defs` under their id. zod names the others it must reference
 * (recursive ones) `__schema<n>`, counting afresh for every schema; those get a name unique in the document, the
 * same one each time the same definitions come back.
 */
class SchemaCollector {
  readonly components: Record<string, JsonSchema> = {};
  readonly #recursive = new Map<string, Map<string, string>>();

  toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    let text = JSON.stringify(z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }));
    for (const [local, global] of this.#namesFor(JSON.parse(text) as { $defs?: Record<string, JsonSchema> })) {
      text = text.replaceAll(`"${local}"`, `"${global}"`).replaceAll(`/$defs/${local}"`, `/$defs/${global}"`);
    }
    const {
      $schema: _dialect,
      $defs,
      ...rest
    } = JSON.parse(text.replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema & { $defs?: Record<string, JsonSchema> };
    Object.assign(this.components, $defs ?? {});
    return rest;
  }

  #namesFor({ $defs = {} }: { $defs?: Record<string, JsonSchema> }): Map<string, string> {
    const unnamed = Object.entries($defs).filter(([name]) => /^__schema\d+$/.test(name));
    if (unnamed.length === 0) return new Map();
    const key = JSON.stringify(unnamed);
    let names = this.#recursive.get(key);
    if (!names) {
      names = new Map(unnamed.map(([name], i) => [name, `Recursive${this.#recursive.size + 1}${unnamed.length > 1 ? `_${i + 1}` : ''}`]));
      this.#recursive.set(key, names);
    }
    return names;
  }
}

/** The OpenAPI 3.1 document of `operations`, generated from the zod schemas their routes validate with. */
export function buildOpenApiDocument(operations: readonly OperationDoc[]): Record<string, unknown> {
  const schemas = new SchemaCollector();
  const paths: Record<string, Record<string, unknown>> = {};
  const problemStatuses = (op: OperationDoc) => [...new Set([...op.problems, ...(op.admin ? [401, 403] : [])])].sort();
  const response = ({ description, schema, contentType }: ResponseDoc) => ({
    description,
    ...(schema
      ? { content: { 'application/json': { schema: schemas.toSchema(schema, 'output') } } }
      : contentType
        ? { content: { [contentType]: { schema: { type: 'string' } } } }
        : {}),
  });

  for (const op of operations) {
    const pathParams = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1]!,
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const queryParams = op.query
      ? Object.entries(op.query.shape).map(([name, field]) => ({
          name,
          in: 'query',
          required: !(field as z.ZodType).safeParse(undefined).success,
          schema: schemas.toSchema(field as z.ZodType, 'input'),
        }))
      : [];
    const headerParams = (op.headers ?? []).map((h) => ({
      name: h.name,
      in: 'header',
      required: h.required ?? false,
      description: h.description,
      schema: { type: 'string' },
    }));
    const responses: Record<string, unknown> = {};
    for (const answer of [op.ok, ...(op.also ?? [])]) responses[String(answer.status)] = response(answer);
    for (const status of problemStatuses(op)) responses[String(status)] = { $ref: `#/components/responses/Problem${status}` };
    (paths[op.path] ??= {})[op.method] = {
      operationId: operationId(op),
      summary: op.summary,
      tags: [op.tag],
      security: op.admin ? [{ adminToken: [] }] : [],
      parameters: [...pathParams, ...queryParams, ...headerParams],
      ...(op.body
        ? { requestBody: { required: !op.body.optional, content: { 'application/json': { schema: requestSchema(schemas, op.body) } } } }
        : {}),
      responses,
    };
  }

  schemas.toSchema(problemResponse, 'output'); // registers components.schemas.Problem
  const statuses = [...new Set(operations.flatMap(problemStatuses))].sort();
  return {
    openapi: '3.1.0',
    info: {
      title: 'Hookflow',
      version: '1.0.0',
      description: 'Signed webhooks in, AI-agent workflows out. Every error is application/problem+json with a stable `code`.',
    },
    servers: [{ url: '/' }],
    tags: [...new Set(operations.map((op) => op.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'HOOKFLOW_ADMIN_TOKEN (or the read-only token for reads)' },
      },
      schemas: schemas.components,
      responses: Object.fromEntries(
        statuses.map((status) => [
          `Problem${status}`,
          {
            description: `problem+json (status ${status})`,
            content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
          },
        ]),
      ),
    },
  };
}

/** A body's schema; the fields its path fills in are not required of it. */
function requestSchema(schemas: SchemaCollector, body: NonNullable<OperationDoc['body']>): JsonSchema {
  const schema = schemas.toSchema(body.schema, 'input');
  const fromPath = body.fromPath ?? [];
  if (fromPath.length === 0 || !Array.isArray(schema.required)) return schema;
  return { ...schema, required: (schema.required as string[]).filter((field) => !fromPath.includes(field)) };
}

function operationId(op: OperationDoc): string {
  const words = op.path
    .replace(/^\/api\/v1/, '')
    .split('/')
    .filter(Boolean)
    .map((part) => part.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase()));
  return [op.method, ...words.map((w) => w[0]!.toUpperCase() + w.slice(1))].join('');
}
