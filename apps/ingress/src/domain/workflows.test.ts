import { afterAll, describe, expect, it } from 'vitest';
import { workflowDefinitionSchema, type WorkflowDefinitionInput } from '@hookflow/shared';
import { refusalOf, testIngressDomain } from '../../../../test/support/ingress-domain.js';

const ctx = testIngressDomain('domain-workflows');
const { workflows } = ctx.domain;

afterAll(() => ctx.close());

const definition = (fields: Partial<WorkflowDefinitionInput> & { name: string }) =>
  workflowDefinitionSchema.parse({ steps: [{ id: 'echo', type: 'transform', expression: 'payload' }], ...fields });

describe('WorkflowService', () => {
  it('stores a definition as version 1, then as new versions, and shows the current one', async () => {
    const first = await workflows.put('orders', definition({ name: 'orders', description: 'v1' }));
    expect(first).toMatchObject({ created: true, detail: { name: 'orders', source: 'definition', version: 1, description: 'v1' } });
    const second = await workflows.put('orders', definition({ name: 'orders', description: 'v2' }));
    expect(second).toMatchObject({ created: false, detail: { version: 2 } });
    const shown = await workflows.get('orders');
    expect(shown).toMatchObject({ name: 'orders', version: 2, description: 'v2', definition: { description: 'v2' } });
    expect(typeof shown.updatedAt).toBe('string');
    expect((await workflows.list()).map((w) => w.name)).toEqual(expect.arrayContaining(['echo', 'orders']));
  });

  it('refuses a definition whose name is not the one in the path', async () => {
    expect(await refusalOf(workflows.put('orders-a', definition({ name: 'orders-b' })))).toMatchObject({
      code: 'invalid_request',
      status: 400,
      errors: [{ path: 'name', message: 'must match the name in the path (orders-a)' }],
    });
    expect(await refusalOf(workflows.get('orders-a'))).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('a built-in can be read, but neither stored over nor deleted', async () => {
    expect(await workflows.get('echo')).toMatchObject({ name: 'echo', source: 'builtin' });
    expect(await refusalOf(workflows.put('echo', definition({ name: 'echo' })))).toMatchObject({
      code: 'invalid_request',
      errors: [{ path: 'name', message: 'is a built-in workflow' }],
    });
    expect(await refusalOf(workflows.delete('echo'))).toMatchObject({
      code: 'invalid_request',
      errors: [{ path: 'name', message: 'is a built-in workflow' }],
    });
  });

  it('refuses examples that do not fit the input schema, listing each, and stores nothing', async () => {
    const input = { type: 'object', required: ['orderId'], properties: { orderId: { type: 'string' } } };
    const problem = await refusalOf(
      workflows.put('typed', definition({ name: 'typed', input, examples: [{ orderId: 'o-1' }, { orderId: 7 }] })),
    );
    expect(problem).toMatchObject({ code: 'invalid_request', status: 400 });
    expect(problem.errors).toEqual([expect.objectContaining({ path: expect.stringMatching(/^examples\.1/) })]);
    expect(await refusalOf(workflows.get('typed'))).toMatchObject({ code: 'not_found' });
  });

  it('deletes a definition no webhook binds; one still bound is refused (409), an unknown one is 404', async () => {
    await workflows.put('bound', definition({ name: 'bound' }));
    await workflows.put('loose', definition({ name: 'loose' }));
    const agent = await ctx.domain.agents.create({ name: 'binder' });
    await ctx.domain.webhooks.create(agent.id, { workflow: 'bound' });
    expect(await refusalOf(workflows.delete('bound'))).toMatchObject({ code: 'workflow_in_use', status: 409 });
    await workflows.delete('loose');
    expect(await refusalOf(workflows.get('loose'))).toMatchObject({ code: 'not_found' });
    expect(await refusalOf(workflows.delete('loose'))).toMatchObject({ code: 'not_found', status: 404 });
  });
});
