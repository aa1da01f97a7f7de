import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { FieldError } from '../errors/problem.js';

// One Ajv instance: it caches compiled schemas itself, but callers keep their own map keyed by workflow version so
// an old version's validator is dropped when a new one replaces it.
const ajv = new Ajv({ allErrors: true, strict: false });

/** Compiles a workflow's `input` JSON Schema; a bad schema comes back as a message, never a throw. */
export function compileInputSchema(
  schema: Record<string, unknown>,
): { ok: true; validate: ValidateFunction } | { ok: false; message: string } {
  try {
    return { ok: true, validate: ajv.compile(schema) };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

/** Ajv's errors as API.md's `errors`: dotted paths (`items.0.amount`), the missing property named in the path. */
export function inputErrors(errors: readonly ErrorObject[] | null | undefined): FieldError[] {
  return (errors ?? []).map((error) => {
    const segments = error.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (error.keyword === 'required') segments.push(String((error.params as { missingProperty: string }).missingProperty));
    if (error.keyword === 'additionalProperties')
      segments.push(String((error.params as { additionalProperty: string }).additionalProperty));
    return { path: segments.join('.'), message: error.message ?? 'is invalid' };
  });
}
