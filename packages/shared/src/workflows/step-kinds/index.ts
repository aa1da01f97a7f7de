import type { z } from 'zod';
import { fail } from './fail.js';
import { http } from './http.js';
import type { StepCallOptions, StepDefinitionOf, StepKind, StepRender, StepSchemas, StepTools, StepType } from './kind.js';
import { llm } from './llm.js';
import { notify } from './notify.js';
import { store } from './store.js';
import { transform } from './transform.js';
import { wait } from './wait.js';

/** What the table must hold: one kind for every `StepType`, under its own name. */
export type StepKindTable = { readonly [K in StepType]: StepKind<K> };

/**
 * Every step kind of JSON definitions. The definition schema, the worker's runner and the OpenAPI document read this
 * table; a kind's module that is not listed here fails the type check. Its order is the order errors list the kinds in.
 */
export const stepKinds = { http, transform, llm, store, notify, fail, wait } as const satisfies StepKindTable;

/** A parsed step of any kind. */
export type StepDefinition = { [K in StepType]: StepDefinitionOf<K> }[StepType];
/** A step as a definition is written (defaults not yet applied). */
export type StepDefinitionInput = { [K in StepType]: z.input<StepSchemas[K]> }[StepType];

/** The table's kinds in order. */
export const stepKindList: ReadonlyArray<StepKind<StepType>> = Object.values(stepKinds);

/** Runs one step of a JSON definition by its kind. */
export function runStepKind(step: StepDefinition, render: StepRender, tools: StepTools, options: StepCallOptions): Promise<unknown> {
  // TypeScript cannot correlate `step.type` with the table's entry for it; the table's type guarantees they match.
  const kind = stepKinds[step.type] as StepKind<StepType>;
  return kind.run(step as never, render, tools, options);
}

export {
  stepBase,
  type Lazy,
  type StepCallOptions,
  type StepDefinitionOf,
  type StepKind,
  type StepRender,
  type StepSchemas,
  type StepTools,
  type StepType,
} from './kind.js';
export type { HttpOutput, HttpStepOptions } from './http.js';
export type { LlmMessage, LlmOutput, LlmStepOptions } from './llm.js';
export type { NotifyOptions } from './notify.js';
export type { StoreOptions } from './store.js';
export { maxWaitTimeoutMs, type WaitOptions } from './wait.js';
