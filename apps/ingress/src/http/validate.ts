import type { z } from 'zod';
import { ProblemError, type FieldError } from '@hookflow/shared';

/** zod issues as API.md's `errors` list: a dotted path and a message each. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/** Parses `input` or throws 400 `invalid_request` listing every bad field. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, what = 'request body'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = fieldErrors(result.error);
  throw new ProblemError(
    'invalid_request',
    `the ${what} is invalid: ${errors.map((e) => `${e.path || '(root)'}: ${e.message}`).join('; ')}`,
    {
      errors,
    },
  );
}
