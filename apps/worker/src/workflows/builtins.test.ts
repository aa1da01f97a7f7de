import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { assertBuiltinsImplemented, builtinImplementations } from './builtins.js';
import { defineWorkflow } from './define-workflow.js';

describe('assertBuiltinsImplemented', () => {
  it('accepts the shipped implementations', () => {
    expect(() => assertBuiltinsImplemented()).not.toThrow();
  });

  it('refuses a built-in whose concurrency or debounce differs from what the ingress evaluates (builtinFlowControl)', () => {
    const keyed = defineWorkflow({
      name: 'echo',
      description: 'echo',
      input: z.unknown(),
      concurrency: { key: 'payload.id', limit: 1 },
      run: async (ctx) => ctx.payload,
    });
    expect(() => assertBuiltinsImplemented({ ...builtinImplementations, echo: keyed })).toThrow(/echo/);
  });

  it('refuses a catalogue entry without an implementation', () => {
    expect(() => assertBuiltinsImplemented({})).toThrow(/without an implementation: echo/);
  });
});
