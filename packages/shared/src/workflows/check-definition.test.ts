import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workflowDefinitionSchema } from './definition-schema.js';
import { checkDefinition } from './check-definition.js';
import { defaultWorkflowsDir } from './load-files.js';

const base = {
  name: 'orders',
  input: {
    type: 'object',
    required: ['orderId'],
    properties: { orderId: { type: 'string', minLength: 1 }, amount: { type: 'integer', minimum: 0 } },
  },
  steps: [{ id: 'echo', type: 'transform', expression: 'payload' }],
};

describe('checkDefinition', () => {
  it('accepts examples that fit the input schema, and any examples without one', () => {
    expect(
      checkDefinition(workflowDefinitionSchema.parse({ ...base, examples: [{ orderId: 'o-1', amount: 3 }, { orderId: 'o-2' }] })),
    ).toEqual([]);
    expect(checkDefinition(workflowDefinitionSchema.parse({ ...base, input: undefined, examples: ['anything', 42] }))).toEqual([]);
  });

  it('names the example and the field that does not fit', () => {
    const problems = checkDefinition(workflowDefinitionSchema.parse({ ...base, examples: [{ orderId: 'o-1' }, { amount: -1 }] }));
    expect(problems.map((p) => p.path).sort()).toEqual(['examples.1.amount', 'examples.1.orderId']);
    for (const problem of problems) expect(problem.message).toMatch(/^does not fit the input schema: /);
  });

  it('reports an input schema that does not compile instead of checking examples against it', () => {
    expect(checkDefinition(workflowDefinitionSchema.parse({ ...base, input: { type: 'nonsense' }, examples: [{}] }))).toEqual([
      { path: 'input', message: expect.stringMatching(/^is not a valid JSON Schema: /) },
    ]);
  });

  it('every shipped workflow carries an example that fits its input schema', () => {
    const files = readdirSync(defaultWorkflowsDir).filter((file) => file.endsWith('.json'));
    expect(files).toHaveLength(5);
    for (const file of files) {
      const definition = workflowDefinitionSchema.parse(JSON.parse(readFileSync(join(defaultWorkflowsDir, file), 'utf8')));
      expect(definition.examples?.length, file).toBeGreaterThanOrEqual(1);
      expect(checkDefinition(definition), file).toEqual([]);
    }
  });
});
