import type { StepCallOptions, StepRender, StepTools } from './kind.js';

/** One call a step kind made to its tools, with its options as the tool resolved them. */
export interface RecordedCall {
  tool: keyof StepTools;
  id: string;
  /** The resolved options (for `step`, the body's value; for `fail`, its code and message). */
  options: unknown;
  stepOptions: StepCallOptions | undefined;
}

/**
 * Tools that record each call and answer `{ answered: <tool> }`. With `resolve: false` they answer without resolving
 * the call's lazy options, as the worker does for a step that already finished.
 */
export function recordingTools({ resolve = true } = {}): { calls: RecordedCall[]; tools: StepTools } {
  const calls: RecordedCall[] = [];
  const call =
    (tool: keyof StepTools) =>
    async (id: string, options: unknown, stepOptions?: StepCallOptions): Promise<never> => {
      const resolved =
        resolve && typeof options === 'function' ? await (options as () => Promise<unknown>)() : resolve ? options : undefined;
      calls.push({ tool, id, options: resolved, stepOptions });
      return { answered: tool } as never;
    };
  const tools: StepTools = {
    step: call('step'),
    http: call('http'),
    llm: call('llm'),
    store: call('store'),
    notify: call('notify'),
    wait: call('wait'),
    fail: async (id, code, message, stepOptions) => {
      const resolved = resolve ? (typeof message === 'function' ? await message() : message) : undefined;
      calls.push({ tool: 'fail', id, options: { code, message: resolved }, stepOptions });
    },
  };
  return { calls, tools };
}

/** A render that says which of its functions made each value, and counts its calls. */
export function taggingRender(): StepRender & { count: () => number } {
  let calls = 0;
  const tag =
    (name: string) =>
    async (value: unknown): Promise<never> => {
      calls += 1;
      return `${name}(${typeof value === 'string' ? value : JSON.stringify(value)})` as never;
    };
  return { evaluate: tag('evaluate'), text: tag('text'), url: tag('url'), json: tag('json'), count: () => calls };
}
