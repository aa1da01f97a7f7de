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
    delivery: { id: ctx.delivery.id, webhookId: ctx.delivery.webhookId, agentId: ctx.delivery.agentId, receivedAt: ctx.delivery.receivedAt },
    steps: {},
    env: ctx.env,
  };
  let last: unknown = null;
  for (const step of definition.steps) {
    last = await runStep(step, ctx, evaluator, scope);
    scope.steps[step.id] = { output: last };
  }
  return definition.output ? evaluator.evaluate(definition.output, scope) : last;
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
  throw new WorkflowError('invalid_url', `not an absolute URL: ${shown} (${unset.join(', ')} ${unset.length === 1 ? 'is' : 'are'} not set on the worker)`, false);
}

function runStep(step: StepDefinition, ctx: WorkflowContext, evaluator: Evaluator, scope: ExpressionScope): Promise<unknown> {
  const options: RunStepOptions = {
    ...(step.retry ? { retry: step.retry } : {}),
    ...(step.when ? { when: async () => Boolean(await evaluator.evaluate(step.when!, scope)) } : {}),
  };
  const render: StepRender = {
    evaluate: (expression) => evaluator.evaluate(expression, scope),
    text: (template) => evaluator.renderText(template, scope),
    url: (template) => renderUrl(template, evaluator, scope),
    json: (value) => evaluator.renderJson(value, scope),
  };
  return runStepKind(step, render, ctx, options);
}
