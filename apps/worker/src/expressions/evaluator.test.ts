import { describe, expect, it } from 'vitest';
import { Evaluator, maxPadWidth, unsetEnvVariables, type ExpressionScope } from './evaluator.js';

const scope: ExpressionScope = {
  payload: { id: 'doc-1', amount: 12, tags: ['a', 'b'], nested: { ok: true } },
  headers: { 'content-type': 'application/json' },
  delivery: { id: 'dlv_1', webhookId: 'wh_1', agentId: 'agt_1', receivedAt: '2026-11-28T07:30:00.000Z' },
  steps: { fetch: { output: { status: 200, body: { text: 'hello' } } } },
  env: { BASE_URL: 'http://docs.local' },
};
const evaluator = new Evaluator();

describe('Evaluator', () => {
  it('keeps the type of a whole-string {{ expr }}', async () => {
    expect(await evaluator.render('{{ payload.amount }}', scope)).toBe(12);
    expect(await evaluator.render(' {{ payload.tags }} ', scope)).toEqual(['a', 'b']);
    expect(await evaluator.render('{{ payload.nested }}', scope)).toEqual({ ok: true });
    expect(await evaluator.render('{{ payload.missing }}', scope)).toBeNull();
  });

  it('interpolates mixed text, JSON for objects and empty text for missing values', async () => {
    expect(await evaluator.render('{{ env.BASE_URL }}/documents/{{ payload.id }}', scope)).toBe('http://docs.local/documents/doc-1');
    expect(await evaluator.render('{{ payload.amount }} and {{ payload.amount * 2 }}', scope)).toBe('12 and 24');
    expect(await evaluator.render('n={{ payload.nested }};m={{ payload.missing }}', scope)).toBe('n={"ok":true};m=');
    expect(await evaluator.render('no braces here', scope)).toBe('no braces here');
  });

  it('renders every string inside JSON values', async () => {
    expect(
      await evaluator.renderJson({ a: '{{ steps.fetch.output.body.text }}', b: [1, '{{ delivery.agentId }}'], c: null }, scope),
    ).toEqual({ a: 'hello', b: [1, 'agt_1'], c: null });
  });

  it('reports bad expressions as a non-retryable expression_error', async () => {
    await expect(evaluator.evaluate('payload.(', scope)).rejects.toMatchObject({ code: 'expression_error', retryable: false });
    await expect(evaluator.evaluate('$number("abc") + $undefinedFunction()', scope)).rejects.toMatchObject({ code: 'expression_error' });
  });

  it('names the HOOKFLOW_VAR_* variable behind each unset env reference', () => {
    expect(unsetEnvVariables('{{ env.DOCS_URL }}/documents/{{ payload.id }}', { BASE_URL: 'x' })).toEqual(['HOOKFLOW_VAR_DOCS_URL']);
    expect(unsetEnvVariables('{{ env.BASE_URL }}/{{ env.A }}/{{ env.A }}{{ env.B_2 }}', { BASE_URL: 'x' })).toEqual([
      'HOOKFLOW_VAR_A',
      'HOOKFLOW_VAR_B_2',
    ]);
    expect(unsetEnvVariables('{{ env.BASE_URL }}/x', { BASE_URL: 'x' })).toEqual([]);
    expect(unsetEnvVariables('{{ payload.environment.X }}', {})).toEqual([]);
  });

  it('pads as JSONata does, and refuses a $pad wider than maxPadWidth with resource_exhausted', async () => {
    expect(
      await evaluator.evaluate('[$pad("ab", 5), $pad("ab", -5, "#"), $pad("ab", 7, "xy"), $pad("abcdef", 3), $pad("é", 3, "😀")]', scope),
    ).toEqual(['ab   ', '###ab', 'abxyxyx', 'abcdef', 'é😀😀']);
    expect(await evaluator.evaluate(`$length($pad("", ${maxPadWidth}))`, scope)).toBe(maxPadWidth);
    await expect(evaluator.evaluate('$length($pad("", payload.amount * 50000000))', scope)).rejects.toMatchObject({
      code: 'resource_exhausted',
      retryable: false,
    });
    await expect(evaluator.evaluate('$pad(payload.amount)', scope)).rejects.toMatchObject({ code: 'expression_error' });
  });
});
