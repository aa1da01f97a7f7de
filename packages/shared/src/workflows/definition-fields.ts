import { z } from 'zod';
import jsonata from 'jsonata';
import { backoffTypes, type RetryPolicy } from '@hookflow/protocol';
import { templateExpressions } from './template.js';

/**
 * The field types a workflow definition is built from, shared by its top level and every step kind. Every JSONata
 * expression (raw ones like `when`/`expression`/`output`, and `{{ }}` parts of templates) is compiled here, so a typo
 * is a 400 at PUT time rather than a failed delivery later.
 */

export const expression = z.string().min(1, 'must not be empty').max(10_000).superRefine(checkExpression);
export const template = z.string().max(100_000).superRefine(checkTemplate);

function checkExpression(source: string, ctx: z.RefinementCtx): void {
  const error = compileError(source);
  if (error) ctx.addIssue({ code: 'custom', message: `invalid expression: ${error}` });
}

function checkTemplate(source: string, ctx: z.RefinementCtx): void {
  for (const expr of templateExpressions(source)) {
    const error = expr === '' ? 'empty {{ }}' : compileError(expr);
    if (error) ctx.addIssue({ code: 'custom', message: `invalid expression in template: ${error}` });
  }
}

function compileError(source: string): string | null {
  try {
    jsonata(source);
    return null;
  } catch (err) {
    return (err as { message?: string }).message ?? String(err);
  }
}

/** Any JSON value in which every string is a template (bodies, payloads, `set`). */
export const templatedJson: z.ZodType<unknown> = z.lazy(() =>
  z.union([template, z.number(), z.boolean(), z.null(), z.array(templatedJson), z.record(z.string(), templatedJson)]),
);

export const backoffSchema = z.object({ type: z.enum(backoffTypes), delayMs: z.number().int().min(0).max(86_400_000) }).strict();

export const retrySchema = z
  .object({ attempts: z.number().int().min(1, 'must be at least 1').max(100), backoff: backoffSchema.optional() })
  .strict() satisfies z.ZodType<RetryPolicy>;
export type { RetryPolicy };
