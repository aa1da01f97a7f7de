import { sample } from 'openapi-sampler';
import { ProblemError, type WorkflowCatalog } from '@hookflow/shared';

export interface TestEventPayload {
  payload: unknown;
  /** `examples`: the workflow's first example; `sample`: made to fit its input schema. */
  source: 'examples' | 'sample';
}

/** What a workflow without examples or input schema gets: it accepts anything, so say what the event is. */
const genericPayload = { type: 'hookflow.test_event', message: 'Test event sent from Hookflow' };

/**
 * The payload a test event sends when none is given: the bound workflow's first `examples` entry, else a sample
 * generated from its input schema (required and optional properties, enums, formats and patterns honoured), so the
 * ingress's input check accepts it.
 */
export async function testEventPayload(catalog: WorkflowCatalog, workflow: string): Promise<TestEventPayload> {
  const samples = await catalog.samples(workflow);
  if (!samples) throw new ProblemError('not_found', `the webhook's workflow ${workflow.slice(0, 100)} does not exist`);
  if (samples.examples.length > 0) return { payload: samples.examples[0], source: 'examples' };
  if (!samples.input) return { payload: genericPayload, source: 'sample' };
  let generated: unknown;
  try {
    generated = sample(samples.input as Parameters<typeof sample>[0], { skipReadOnly: true, enablePatterns: true, quiet: true });
  } catch {
    // A schema the sampler cannot follow (an unresolvable $ref, say): the ingress will say what it expects.
    generated = undefined;
  }
  return { payload: generated ?? genericPayload, source: 'sample' };
}
