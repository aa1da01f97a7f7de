import jsonata from 'jsonata';
import type { Keys } from '../redis/keys.js';
import { keyScope } from '../deliveries/key-slots.js';
import type { NewDelivery } from '../deliveries/types.js';
import type { FlowControl } from './definition-schema.js';

type Compiled = ReturnType<typeof jsonata>;

/** What a key expression sees (API.md §5.4). */
export interface KeyScope {
  payload: unknown;
  headers: Record<string, string>;
  delivery: { id: string; webhookId: string; agentId: string; workflow: string; receivedAt: string };
}

/** A key expression that failed on a payload (a type error, or over its time budget): the ingress answers 422. */
export class KeyExpressionError extends Error {
  override name = 'KeyExpressionError';
}

/** Longest a key value is kept as shown on the delivery; the line itself is named by a digest of the whole value. */
const shownKeyChars = 200;
/** Time one key expression may take on the ingest path. A key is a path or a concatenation: far below this. */
const keyBudgetMs = 50;
const deadlineBinding = '__hookflowKeyDeadline';

/**
 * Evaluates a delivery's concurrency and debounce keys when the ingress accepts it, so a key's line is in arrival
 * order (the order Redis stored the deliveries in), and a delivery without flow control pays nothing. Expressions
 * are compiled once per process; every evaluation is stopped past a short time budget (checked at each JSONata
 * step), so a costly expression cannot stall the ingest path.
 */
export class FlowKeys {
  readonly #compiled = new Map<string, Compiled>();

  constructor(private readonly keys: Keys) {}

  /** The flow-control fields of a new delivery under `flow`; empty when neither key applies (null or undefined). */
  async evaluate(flow: FlowControl, scope: KeyScope): Promise<Pick<NewDelivery, 'concurrency' | 'debounce'>> {
    const out: Pick<NewDelivery, 'concurrency' | 'debounce'> = {};
    const { agentId, workflow } = scope.delivery;
    if (flow.concurrency) {
      const value = await this.#value(flow.concurrency.key, scope);
      if (value !== null)
        out.concurrency = {
          key: value.slice(0, shownKeyChars),
          line: this.keys.keyLine(keyScope(agentId, workflow, value)),
          limit: flow.concurrency.limit,
        };
    }
    if (flow.debounce) {
      const value = await this.#value(flow.debounce.key, scope);
      if (value !== null) {
        out.debounce = {
          key: value.slice(0, shownKeyChars),
          state: this.keys.debounceState(keyScope(agentId, workflow, value)),
          periodMs: flow.debounce.periodMs,
        };
        if (flow.debounce.maxWaitMs !== undefined) out.debounce.maxWaitMs = flow.debounce.maxWaitMs;
      }
    }
    return out;
  }

  /** The key as text (strings as they are, anything else as JSON); null for null or undefined. */
  async #value(source: string, scope: KeyScope): Promise<string | null> {
    let value: unknown;
    try {
      const walked = walkPath(source, scope);
      value = walked.found ? walked.value : await this.#compile(source).evaluate(scope, { [deadlineBinding]: Date.now() + keyBudgetMs });
    } catch (err) {
      throw new KeyExpressionError(
        `the key expression ${JSON.stringify(source.slice(0, 100))} failed on this payload: ${(err as { message?: string }).message ?? String(err)}`,
      );
    }
    if (value === undefined || value === null) return null;
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  #compile(source: string): Compiled {
    let compiled = this.#compiled.get(source);
    if (compiled) return compiled;
    compiled = jsonata(source);
    compiled.assign(
      Symbol.for('jsonata.__evaluate_entry') as unknown as string,
      (_expr: unknown, _input: unknown, env: { lookup(name: string): unknown }) => {
        if (Date.now() > (env.lookup(deadlineBinding) as number)) throw new Error(`over its time budget of ${keyBudgetMs} ms`);
      },
    );
    // Sources come from stored definitions and webhook options; the cap only bounds churn after many edits.
    if (this.#compiled.size >= 1_000) this.#compiled.clear();
    this.#compiled.set(source, compiled);
    return compiled;
  }
}

const plainPath = /^(payload|headers|delivery)(\.[A-Za-z_$][A-Za-z0-9_$]*)+$/;

/**
 * The common key, a plain path such as `payload.clientId`, read without JSONata (the ingest path evaluates one per
 * request). Only where JSONata gives the same answer: every step an object that is not an array, and a scalar (or
 * nothing) at the end; anything else is left to JSONata.
 */
function walkPath(source: string, scope: KeyScope): { found: true; value: unknown } | { found: false } {
  if (!plainPath.test(source)) return { found: false };
  let value: unknown = scope;
  for (const name of source.split('.')) {
    if (value === undefined) break;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { found: false };
    value = Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined;
  }
  if (value !== null && typeof value === 'object') return { found: false };
  return { found: true, value };
}

/** The flow control a webhook's deliveries are accepted under: each of the webhook's fields wins over the workflow's. */
export function effectiveFlowControl(webhook: FlowControl, workflow: FlowControl | undefined): FlowControl {
  const concurrency = webhook.concurrency ?? workflow?.concurrency;
  const debounce = webhook.debounce ?? workflow?.debounce;
  return { ...(concurrency ? { concurrency } : {}), ...(debounce ? { debounce } : {}) };
}
