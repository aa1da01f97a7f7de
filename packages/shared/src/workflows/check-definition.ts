import type { FieldError } from '../errors/problem.js';
import type { WorkflowDefinition } from './definition-schema.js';
import { compileInputSchema, inputErrors } from './input-schema.js';

/**
 * What zod cannot see in a definition: its `input` must compile as a JSON Schema, and each of its `examples` must
 * fit it (an example the ingress would refuse with 422 is a test event that can never pass).
 */
export function checkDefinition(definition: WorkflowDefinition): FieldError[] {
  if (!definition.input) return [];
  const compiled = compileInputSchema(definition.input);
  if (!compiled.ok) return [{ path: 'input', message: `is not a valid JSON Schema: ${compiled.message}` }];
  return (definition.examples ?? []).flatMap((example, index) =>
    compiled.validate(example)
      ? []
      : inputErrors(compiled.validate.errors).map((error) => ({
          path: ['examples', index, ...(error.path ? [error.path] : [])].join('.'),
          message: `does not fit the input schema: ${error.message}`,
        })),
  );
}
