import { afterAll, describe, expect, it } from 'vitest';
import { newId } from '@hookflow/shared';
import { refusalOf, testIngressDomain } from '../../../../test/support/ingress-domain.js';

const ctx = testIngressDomain('domain-records');
const { records } = ctx.domain;

afterAll(() => ctx.close());

/** Writes a record as a `store` step does. */
async function store(agentId: string, collection: string, key: string, value: Record<string, unknown>) {
  await ctx.services.records.writeCheckpointed({
    agentId,
    collection,
    key,
    apply: () => value,
    deliveryId: newId('dlv'),
    stepId: 'save',
    checkpoint: () => '{}',
  });
}

describe('RecordService', () => {
  it("reads an agent's records one by one and a page at a time, in key order", async () => {
    const agent = await ctx.domain.agents.create({ name: 'records' });
    for (const key of ['b', 'a', 'c']) await store(agent.id, 'orders', key, { key });
    expect(await records.get(agent.id, 'orders', 'a')).toMatchObject({ collection: 'orders', key: 'a', value: { key: 'a' } });
    const first = await records.list(agent.id, 'orders', { limit: 2 });
    expect(first.items.map((r) => r.key)).toEqual(['a', 'b']);
    const second = await records.list(agent.id, 'orders', { limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((r) => r.key)).toEqual(['c']);
    expect(second.nextCursor).toBeNull();
  });

  it('a missing record is 404 not_found; an unknown agent is 404 agent_not_found', async () => {
    const agent = await ctx.domain.agents.create({ name: 'empty' });
    expect(await refusalOf(records.get(agent.id, 'orders', 'nope'))).toMatchObject({
      code: 'not_found',
      status: 404,
      detail: 'no record nope in collection orders',
    });
    expect(await records.list(agent.id, 'orders', { limit: 10 })).toEqual({ items: [], nextCursor: null });
    expect(await refusalOf(records.get(newId('agt'), 'orders', 'a'))).toMatchObject({ code: 'agent_not_found', status: 404 });
    expect(await refusalOf(records.list(newId('agt'), 'orders', { limit: 10 }))).toMatchObject({ code: 'agent_not_found', status: 404 });
  });
});
