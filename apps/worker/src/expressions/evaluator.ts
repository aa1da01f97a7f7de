import jsonata from 'jsonata';
import { parseTemplate } from '@hookflow/shared';
import { WorkflowError } from '../errors/workflow-error.js';

/** What expressions see (DESIGN.md): the payload, stored headers, the delivery, earlier steps' outputs, allowed env. */
export interface ExpressionScope {
  payload: unknown;
  headers: Record<string, string>;
  delivery: { id: string; webhookId: string; agentId: string; receivedAt: string };
  steps: Record<string, { output: unknown }>;
  env: Record<string, string>;
  /** The links of the definition's `wait` steps by signal name, filled when a step first mentions `signals`. */
  signals?: Record<string, { url: string; expiresAt: string }>;
}

type Compiled = ReturnType<typeof jsonata>;

/** What the worker's environment variables for `env.<NAME>` start with (see config.ts). */
export const varPrefix = 'HOOKFLOW_VAR_';

/**
 * The widest `$pad` an expression may ask for. `$pad` is the one built-in whose output size a payload can set with a
 * number (`$pad("", payload.n)`); one huge string is a single allocation, which V8 cannot refuse gracefully inside a
 * run thread (it can abort the whole process), so it is refused here instead.
 */
export const maxPadWidth = 1_000_000;

/** JSONata's `$pad` (same signature and results), refusing widths over `maxPadWidth`. */
function boundedPad(str: string | undefined, width: number, char?: string): string | undefined {
  if (str === undefined) return undefined;
  const target = Math.trunc(width);
  if (Math.abs(target) > maxPadWidth)
    throw new WorkflowError('resource_exhausted', `$pad to ${Math.abs(target)} characters is over the limit of ${maxPadWidth}`, false);
  const fill = char === undefined || char.length === 0 ? ' ' : char;
  const padLength = Math.abs(target) - [...str].length;
  if (padLength <= 0) return str;
  const padding = [...fill.repeat(Math.ceil(padLength / [...fill].length))].slice(0, padLength).join('');
  return target > 0 ? str + padding : padding + str;
}

/**
 * JSONata evaluation with a cache of compiled expressions (a definition's expressions are compiled once per worker,
 * not once per delivery). Failures are not retryable: the same expression fails the same way next time.
 */
export class Evaluator {
  readonly #compiled = new Map<string, Compiled>();

  async evaluate(source: string, scope: ExpressionScope): Promise<unknown> {
    let compiled = this.#compiled.get(source);
    if (!compiled) {
      try {
        compiled = jsonata(source);
        compiled.registerFunction('pad', boundedPad, '<s-ns?:s>');
      } catch (err) {
        throw new WorkflowError('expression_error', `cannot compile ${JSON.stringify(source)}: ${errorMessage(err)}`, false);
      }
      if (this.#compiled.size > 5_000) this.#compiled.clear();
      this.#compiled.set(source, compiled);
    }
    try {
      return normalise(await compiled.evaluate(scope));
    } catch (err) {
      if (err instanceof WorkflowError) throw err;
      throw new WorkflowError('expression_error', `cannot evaluate ${JSON.stringify(source)}: ${errorMessage(err)}`, false);
    }
  }

  /** A `{{ }}` template: a whole-string expression keeps its type, mixed text interpolates. */
  async render(template: string, scope: ExpressionScope): Promise<unknown> {
    const parsed = parseTemplate(template);
    if (parsed.kind === 'literal') return parsed.value;
    if (parsed.kind === 'value') return this.evaluate(parsed.source, scope);
    const pieces = await Promise.all(
      parsed.parts.map((part) => (part.kind === 'text' ? part.text : this.evaluate(part.source, scope).then(asText))),
    );
    return pieces.join('');
  }

  async renderText(template: string, scope: ExpressionScope): Promise<string> {
    return asText(await this.render(template, scope));
  }

  /** Renders every string inside a JSON value (bodies, payloads, `set`). */
  async renderJson(value: unknown, scope: ExpressionScope): Promise<unknown> {
    if (typeof value === 'string') return this.render(value, scope);
    if (Array.isArray(value)) return Promise.all(value.map((item) => this.renderJson(item, scope)));
    if (value !== null && typeof value === 'object') {
      const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await this.renderJson(v, scope)] as const));
      return Object.fromEntries(entries);
    }
    return value;
  }
}

/** The `HOOKFLOW_VAR_*` names behind `env.<NAME>` references of `source` that `env` does not have. */
export function unsetEnvVariables(source: string, env: Record<string, string>): string[] {
  const names = new Set<string>();
  for (const match of source.matchAll(/\benv\.([A-Za-z_][A-Za-z0-9_]*)/g)) if (!Object.hasOwn(env, match[1]!)) names.add(match[1]!);
  return [...names].map((name) => `${varPrefix}${name}`);
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** JSONata sequences are arrays with extra flags, and `undefined` means "no match": make both plain JSON. */
function normalise(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function errorMessage(err: unknown): string {
  return (err as { message?: string }).message ?? String(err);
}
