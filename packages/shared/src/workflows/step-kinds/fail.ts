import { z } from 'zod';
import { template } from '../definition-fields.js';
import { stepBase, type StepKind } from './kind.js';

const schema = z
  .object({
    ...stepBase,
    type: z.literal('fail'),
    code: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be snake_case (a-z, 0-9, _)'),
    message: template,
  })
  .strict();

declare module './kind.js' {
  interface StepSchemas {
    fail: typeof schema;
  }
}

export const fail = {
  type: 'fail',
  description: 'fails the delivery at once, not retried, with error.code = code',
  schema,
  // A skipped fail step's output is null, like any skipped step's.
  run: (step, render, tools, options) => tools.fail(step.id, step.code, () => render.text(step.message), options).then(() => null),
} satisfies StepKind<'fail'>;
