/**
 * TypeScript workflows for the worker's unit tests. Workflows run in the worker's run threads, which load their
 * built-ins from a module; the tests point the run pool here (`workflowsModule`). Counting happens where the test can
 * see it: each workflow reports its side effects to the test's HTTP stub at `env.SERVICE_URL`.
 */
import { z } from 'zod';
import { defineWorkflow, type TypeScriptWorkflow } from '../../apps/worker/src/workflows/define-workflow.js';
import { builtinImplementations as worker } from '../../apps/worker/src/workflows/builtins.js';

const count = (env: Record<string, string>, path: string) =>
  fetch(`${env.SERVICE_URL}/count/${path}`).then((res) => res.json() as Promise<{ n: number }>);

export const builtinImplementations: Record<string, TypeScriptWorkflow> = {
  ...worker,

  /** Two checkpointed steps, the second failing on its first try: a retry must not run the first again. */
  'ts-steps': defineWorkflow({
    name: 'ts-steps',
    description: 'test workflow in TypeScript',
    input: z.object({ n: z.number(), tag: z.string() }),
    run: async (ctx) => {
      const doubled = await ctx.step('double', async () => {
        await count(ctx.env, `${ctx.payload.tag}-double`);
        return ctx.payload.n * 2;
      });
      const plusOne = await ctx.step('plusOne', async () => {
        const { n } = await count(ctx.env, `${ctx.payload.tag}-plusOne`);
        if (n === 1) throw new Error('first try fails');
        return doubled + 1;
      });
      return { doubled, plusOne };
    },
  }),

  /** Ends its thread as a crash would (a native fault, a bug in a dependency). */
  'ts-crash': defineWorkflow({
    name: 'ts-crash',
    description: 'ends its own thread',
    input: z.unknown(),
    run: async () => process.exit(7),
  }),

  /** Spins forever without yielding: only terminating its thread ends it. */
  'ts-spin': defineWorkflow({
    name: 'ts-spin',
    description: 'a synchronous endless loop',
    input: z.object({ tag: z.string() }),
    run: async (ctx) => {
      await count(ctx.env, `spin-started-${ctx.payload.tag}`);
      for (;;) {
        // no await: nothing but termination stops this
      }
    },
  }),

  /** A TypeScript wait: takes its signal link first (counted once however often the run resumes), then waits on it. */
  'ts-wait': defineWorkflow({
    name: 'ts-wait',
    description: 'waits for signal go',
    input: z.object({ tag: z.string() }),
    run: async (ctx) => {
      const link = await ctx.signalLink('go', { timeoutMs: 60_000 });
      await ctx.step('announce', () => count(ctx.env, `${ctx.payload.tag}-announce`));
      const answer = await ctx.wait('go', { signal: 'go', timeoutMs: 60_000 });
      return { link, answer };
    },
  }),

  /** What a run thread can see of the worker's environment. */
  'ts-process-env': defineWorkflow({
    name: 'ts-process-env',
    description: 'returns the names of the environment variables its thread sees',
    input: z.unknown(),
    run: async () => Object.keys(process.env),
  }),
};
