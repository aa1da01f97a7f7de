import { z } from 'zod';
import { expression } from '../definition-fields.js';
import { stepBase, type StepKind } from './kind.js';

const schema = z.object({ ...stepBase, type: z.literal('transform'), expression }).strict();

declare module './kind.js' {
  interface StepSchemas {
    transform: typeof schema;
  }
}

export const transform = {
  type: 'transform',
  description: 'evaluates a JSONata expression; output its value',
  schema,
  run: (step, render, tools, options) => tools.step(step.id, () => render.evaluate(step.expression), { ...options, type: 'transform' }),
} satisfies StepKind<'transform'>;
