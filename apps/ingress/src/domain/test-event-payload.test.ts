import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compileInputSchema,
  createKeys,
  defaultWorkflowsDir,
  WorkflowCatalog,
  workflowDefinitionSchema,
  type WorkflowDefinitionInput,
} from '@hookflow/shared';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { testEventPayload } from './test-event-payload.js';

const prefix = testPrefix('test-event-payload');
const redis = testRedis();
const catalog = new WorkflowCatalog(redis, createKeys(prefix));

afterAll(async () => {
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

const steps = [{ id: 'echo', type: 'transform' as const, expression: 'payload' }];
const put = (definition: WorkflowDefinitionInput) => catalog.put(workflowDefinitionSchema.parse(definition));

describe('testEventPayload', () => {
  it("takes the workflow's first example", async () => {
    await put({
      name: 'with-examples',
      input: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
      examples: [{ id: 'first' }, { id: 'second' }],
      steps,
    });
    expect(await testEventPayload(catalog, 'with-examples')).toEqual({ payload: { id: 'first' }, source: 'examples' });
  });

  it('otherwise makes a sample that fits the input schema: required fields, enums, patterns, nesting, minimums', async () => {
    const input = {
      type: 'object',
      required: ['paymentId', 'amount', 'currency', 'status', 'lines'],
      additionalProperties: false,
      properties: {
        paymentId: { type: 'string', minLength: 3 },
        amount: { type: 'integer', minimum: 1 },
        currency: { type: 'string', pattern: '^[A-Z]{3}$' },
        status: { type: 'string', enum: ['processed', 'failed'] },
        lines: {
          type: 'array',
          minItems: 1,
          items: { type: 'object', required: ['sku'], properties: { sku: { type: 'string' }, qty: { type: 'number', minimum: 1 } } },
        },
      },
    };
    await put({ name: 'sampled', input, steps });
    const { payload, source } = await testEventPayload(catalog, 'sampled');
    expect(source).toBe('sample');
    const compiled = compileInputSchema(input);
    if (!compiled.ok) throw new Error(compiled.message);
    expect(compiled.validate(payload), JSON.stringify(compiled.validate.errors)).toBe(true);
    expect(payload).toMatchObject({ status: 'processed', lines: [expect.objectContaining({ sku: expect.any(String) })] });
  });

  it('every shipped workflow would also get a fitting sample without its example', async () => {
    for (const file of readdirSync(defaultWorkflowsDir).filter((f) => f.endsWith('.json'))) {
      const definition = JSON.parse(readFileSync(join(defaultWorkflowsDir, file), 'utf8')) as WorkflowDefinitionInput;
      const name = `sample-${definition.name}`;
      await put({ ...definition, name, examples: undefined });
      const { payload, source } = await testEventPayload(catalog, name);
      const compiled = compileInputSchema(definition.input!);
      if (!compiled.ok) throw new Error(compiled.message);
      expect(source, file).toBe('sample');
      expect(compiled.validate(payload), `${file}: ${JSON.stringify(compiled.validate.errors)}`).toBe(true);
    }
  });

  it('gives built-in workflows (echo) their example, and a workflow without schema or examples a generic event', async () => {
    expect(await testEventPayload(catalog, 'echo')).toEqual({
      payload: expect.objectContaining({ type: 'hookflow.test_event' }),
      source: 'examples',
    });
    await put({ name: 'schemaless', steps });
    expect(await testEventPayload(catalog, 'schemaless')).toEqual({
      payload: expect.objectContaining({ type: 'hookflow.test_event' }),
      source: 'sample',
    });
  });

  it('answers not_found for a workflow that does not exist', async () => {
    await expect(testEventPayload(catalog, 'no-such-workflow')).rejects.toMatchObject({ problem: { code: 'not_found', status: 404 } });
  });
});
