import { describe, expect, it } from 'vitest';
import jsonata from 'jsonata';
import { createKeys } from '../redis/keys.js';
import { effectiveFlowControl, FlowKeys, KeyExpressionError, type KeyScope } from './flow-keys.js';
import { workflowDefinitionSchema } from './definition-schema.js';
import { webhookOptionsSchema } from '../registry/types.js';

const keys = createKeys('flow-keys-unit');
const flowKeys = new FlowKeys(keys);
const scope = (payload: unknown, headers: Record<string, string> = {}): KeyScope => ({
  payload,
  headers,
  delivery: { id: 'dlv_1', webhookId: 'wh_1', agentId: 'agt_1', workflow: 'crm-sync', receivedAt: '2026-01-01T00:00:00.000Z' },
});

describe('FlowKeys.evaluate', () => {
  it('names the line by agent, workflow and a digest of the value, and shows the value', async () => {
    const out = await flowKeys.evaluate({ concurrency: { key: 'payload.clientId', limit: 2 } }, scope({ clientId: 'cli-7' }));
    expect(out.concurrency).toMatchObject({ key: 'cli-7', limit: 2 });
    expect(out.concurrency!.line).toMatch(/^\{flow-keys-unit\}:flow:line:agt_1:crm-sync:[0-9a-f]{32}$/);
    const other = await flowKeys.evaluate({ concurrency: { key: 'payload.clientId', limit: 2 } }, scope({ clientId: 'cli-8' }));
    expect(other.concurrency!.line).not.toBe(out.concurrency!.line);
  });

  it('sees headers and the delivery; a value that is not a string is keyed by its JSON', async () => {
    const out = await flowKeys.evaluate(
      { concurrency: { key: 'headers."x-tenant" & ":" & delivery.webhookId', limit: 1 }, debounce: { key: 'payload.n', periodMs: 100 } },
      scope({ n: 42 }, { 'x-tenant': 't1' }),
    );
    expect(out.concurrency!.key).toBe('t1:wh_1');
    expect(out.debounce).toMatchObject({ key: '42', periodMs: 100 });
    expect(out.debounce).not.toHaveProperty('maxWaitMs');
  });

  it('a key that evaluates to null or nothing means no flow control for that delivery', async () => {
    expect(await flowKeys.evaluate({ concurrency: { key: 'payload.missing', limit: 1 } }, scope({}))).toEqual({});
    expect(await flowKeys.evaluate({ debounce: { key: 'payload.none', periodMs: 10 } }, scope({ none: null }))).toEqual({});
  });

  it('a key that fails on the payload, or runs past its budget, is a KeyExpressionError', async () => {
    await expect(flowKeys.evaluate({ concurrency: { key: '$number(payload.id)', limit: 1 } }, scope({ id: 'abc' }))).rejects.toBeInstanceOf(
      KeyExpressionError,
    );
    const slow = '($f := function($n) { $n = 0 ? 0 : $f($n - 1) + 1 }; $count([1..200000].$f(1)))';
    await expect(flowKeys.evaluate({ concurrency: { key: slow, limit: 1 } }, scope({}))).rejects.toThrow(/time budget/);
  }, 20_000);

  it('shows a long value truncated, while the line is named by the whole value', async () => {
    const long = 'x'.repeat(500);
    const out = await flowKeys.evaluate({ concurrency: { key: 'payload.k', limit: 1 } }, scope({ k: long }));
    expect(out.concurrency!.key).toHaveLength(200);
    const differentTail = await flowKeys.evaluate({ concurrency: { key: 'payload.k', limit: 1 } }, scope({ k: `${long}y` }));
    expect(differentTail.concurrency!.line).not.toBe(out.concurrency!.line);
  });
});

describe('a plain path key', () => {
  it('gives what JSONata gives, whatever the payload holds along the path', async () => {
    const payloads = [
      { a: { b: 'x' } },
      { a: { b: 7 } },
      { a: { b: true } },
      { a: { b: null } },
      { a: {} },
      {},
      { a: 'text' },
      { a: [{ b: 'p' }, { b: 'q' }] },
      { a: { b: { c: 1 } } },
      { a: { b: [1, 2] } },
      null,
    ];
    for (const payload of payloads) {
      const expected = await jsonata('payload.a.b').evaluate(scope(payload));
      const out = await flowKeys.evaluate({ concurrency: { key: 'payload.a.b', limit: 1 } }, scope(payload));
      const shown =
        expected === undefined || expected === null ? undefined : typeof expected === 'string' ? expected : JSON.stringify(expected);
      expect(out.concurrency?.key, JSON.stringify(payload)).toBe(shown);
    }
  });
});

describe('effectiveFlowControl', () => {
  it('takes each of the webhook options over the workflow', () => {
    const workflow = { concurrency: { key: 'payload.a', limit: 1 }, debounce: { key: 'payload.b', periodMs: 5 } };
    expect(effectiveFlowControl({ concurrency: { key: 'payload.c', limit: 3 } }, workflow)).toEqual({
      concurrency: { key: 'payload.c', limit: 3 },
      debounce: workflow.debounce,
    });
    expect(effectiveFlowControl({}, undefined)).toEqual({});
  });
});

describe('the concurrency and debounce fields', () => {
  const base = { name: 'w', steps: [{ id: 's', type: 'transform', expression: 'payload' }] };
  it('are checked in definitions and webhook options', () => {
    expect(workflowDefinitionSchema.safeParse({ ...base, concurrency: { key: 'payload.id', limit: 1 } }).success).toBe(true);
    for (const bad of [
      { key: 'payload.id', limit: 0 },
      { key: 'payload.id', limit: 1001 },
      { key: 'payload.(', limit: 1 },
      { limit: 1 },
      { key: 'payload.id', limit: 1, extra: true },
    ]) {
      expect(workflowDefinitionSchema.safeParse({ ...base, concurrency: bad }).success).toBe(false);
      expect(webhookOptionsSchema.safeParse({ concurrency: bad }).success).toBe(false);
    }
    expect(webhookOptionsSchema.safeParse({ debounce: { key: 'payload.id', periodMs: 1000, maxWaitMs: 5000 } }).success).toBe(true);
    const shortWait = workflowDefinitionSchema.safeParse({ ...base, debounce: { key: 'payload.id', periodMs: 1000, maxWaitMs: 500 } });
    expect(shortWait.success).toBe(false);
    expect(shortWait.error?.issues[0]?.path).toEqual(['debounce', 'maxWaitMs']);
  });
});
