import { z } from 'zod';
import { signalNamePattern } from '../../signals/signal-token.js';
import { stepBase, type StepKind } from './kind.js';

/** Longest wait a `wait` step may declare: 30 days (a waiting delivery's record is kept until its deadline). */
export const maxWaitTimeoutMs = 30 * 86_400_000;

export interface WaitOptions {
  /** The signal's name (`signals.<name>` in expressions): letters, digits and _, starting with a letter or _. */
  signal: string;
  /** How long the delivery waits, from the first moment the wait's deadline was needed (its link rendered, or the wait starting). */
  timeoutMs: number;
  /** At the deadline without a signal: fail the step and the delivery with `wait_timeout` (default), or go on with output null. */
  onTimeout?: 'fail' | 'continue';
}

const schema = z
  .object({
    ...stepBase,
    type: z.literal('wait'),
    signal: z.string().regex(signalNamePattern, 'must start with a letter or _ and contain only letters, digits and _ (it is used as signals.<signal>)'),
    timeoutMs: z.number().int().min(1).max(maxWaitTimeoutMs),
    onTimeout: z.enum(['fail', 'continue']).optional(),
  })
  .strict();

declare module './kind.js' {
  interface StepSchemas {
    wait: typeof schema;
  }
}

/**
 * Waits, holding no worker, until its signal comes (API.md §5.5; docs/waits.md). Its fields are literals, so it renders
 * nothing; the steps before it see its link as `signals.<signal>.url`.
 */
export const wait = {
  type: 'wait',
  description: "waits, holding no worker, for its signal (its link signals.<signal>.url, or the admin API); output: the signal's JSON body",
  schema,
  run: (step, _render, tools, options) => tools.wait(step.id, { signal: step.signal, timeoutMs: step.timeoutMs, ...(step.onTimeout ? { onTimeout: step.onTimeout } : {}) }, options),
} satisfies StepKind<'wait'>;
