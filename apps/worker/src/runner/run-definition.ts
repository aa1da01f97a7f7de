import { runStepKind, type StepDefinition, type StepRender, type WorkflowDefinition } from '@hookflow/shared';
import { unsetEnvVariables, type Evaluator, type ExpressionScope } from '../expressions/evaluator.js';
import { WorkflowError } from '../errors/workflow-error.js';
import type { WorkflowContext } from './workflow-context.js';
import type { RunStepOptions } from './step-runner.js';

/**
 * Runs a JSON definition through the same context a TypeScript workflow gets, each step by its kind in the shared
 * step-kind table. Each step's templates are rendered lazily, inside the checkpointed body, so a finished or skipped
 * step is neither re-rendered nor re-run.
 */
export async function runDefinition(definition: WorkflowDefinition, ctx: WorkflowContext, evaluator: Evaluator): Promise<unknown> {
  const scope: ExpressionScope = {
    payload: ctx.payload,
    headers: ctx.headers,
    delivery: {
      id: ctx.delivery.id,
      webhookId: ctx.delivery.webhookId,
      agentId: ctx.delivery.agentId,
      receivedAt: ctx.delivery.receivedAt,
    },
    steps: {},
    env: ctx.env,
  };
  // Without a wait step there are no links to make (`signals` is empty), and no step needs scanning for `signals`.
  const signalsReady = definition.steps.some((step) => step.type === 'wait') ? signalLinks(definition, ctx, scope) : null;
  if (!signalsReady) scope.signals = {};
  const readyFor = (part: unknown) => (signalsReady && mentionsSignals(part) ? signalsReady : noSignals);
  let last: unknown = null;
  for (const step of definition.steps) {
    const { when, ...body } = step;
    last = await runStep(step, ctx, evaluator, scope, { when: readyFor(when), body: readyFor(body) });
    scope.steps[step.id] = { output: last };
  }
  if (definition.output) await readyFor(definition.output)();
  return definition.output ? evaluator.evaluate(definition.output, scope) : last;
}

/** Whether a step (or expression) may read `signals`: only then are the links made (and the waits' deadlines fixed). */
function mentionsSignals(part: unknown): boolean {
  return part !== undefined && JSON.stringify(part).includes('signals');
}

const noSignals = async () => {};

/**
 * Fills `scope.signals` with the link of every wait step of the definition, once per run, when a step first needs
 * them: making a link fixes that wait's deadline (see docs/waits.md), so it happens no earlier than needed.
 */
function signalLinks(definition: WorkflowDefinition, ctx: WorkflowContext, scope: ExpressionScope): () => Promise<void> {
  let made: Promise<void> | undefined;
  return () =>
    (made ??= (async () => {
      const links: NonNullable<ExpressionScope['signals']> = {};
      for (const step of definition.steps)
        if (step.type === 'wait') links[step.signal] = await ctx.signalLink(step.signal, { timeoutMs: step.timeoutMs });
      scope.signals = links;
    })());
}

/**
 * A step's URL. The usual cause of one that is not absolute is a base URL read from an unset variable
 * (`{{ env.DOCS_URL }}/documents/…` rendering as `/documents/…`), so the failure names the variable to set.
 */
async function renderUrl(template: string, evaluator: Evaluator, scope: ExpressionScope): Promise<string> {
  const rendered = await evaluator.renderText(template, scope);
  if (URL.canParse(rendered)) return rendered;
  const unset = unsetEnvVariables(template, scope.env);
  if (unset.length === 0) return rendered;
  const shown = rendered.slice(0, 200);
  throw new WorkflowError(
    'invalid_url',
    `not an absolute URL: ${shown} (${unset.join(', ')} ${unset.length === 1 ? 'is' : 'are'} not set on the worker)`,
    false,
  );
}

/**
 * `ready` resolves once the scope holds what the step's `when` and the rest of it read (the signal links, where they
 * mention them): a step skipped by its `when` makes no link.
 */
function runStep(
  step: StepDefinition,
  ctx: WorkflowContext,
  evaluator: Evaluator,
  scope: ExpressionScope,
  ready: { when: () => Promise<void>; body: () => Promise<void> },
): Promise<unknown> {
  const options: RunStepOptions = {
    ...(step.retry ? { retry: step.retry } : {}),
    ...(step.when
      ? {
          when: async () => {
            await ready.when();
            return Boolean(await evaluator.evaluate(step.when!, scope));
          },
        }
      : {}),
  };
  const afterReady =
    <A, R>(fn: (arg: A) => Promise<R>) =>
    async (arg: A): Promise<R> => {
      await ready.body();
      return fn(arg);
    };
  const render: StepRender = {
    evaluate: afterReady((expression: string) => evaluator.evaluate(expression, scope)),
    text: afterReady((template: string) => evaluator.renderText(template, scope)),
    url: afterReady((template: string) => renderUrl(template, evaluator, scope)),
    json: afterReady((value: unknown) => evaluator.renderJson(value, scope)),
  };
  return runStepKind(step, render, ctx, options);
}
