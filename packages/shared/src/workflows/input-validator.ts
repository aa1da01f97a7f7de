import type { ValidateFunction } from 'ajv';
import type { FieldError } from '../errors/problem.js';
import type { WorkflowCatalog } from './catalog.js';
import { compileInputSchema, inputErrors } from './input-schema.js';

/**
 * The ingress's `validateInput`: checks a payload against the `input` JSON Schema of the bound workflow's current
 * version. Each version's schema is compiled once and kept; a new version replaces its predecessor's entry.
 */
export class InputValidator {
  readonly #compiled = new Map<string, { version: number; validate: ValidateFunction | null }>();

  constructor(private readonly catalog: WorkflowCatalog) {}

  async validate(workflow: string, payload: unknown): Promise<FieldError[] | null> {
    const current = await this.catalog.current(workflow);
    if (!current?.definition.input) return null;
    let entry = this.#compiled.get(workflow);
    if (!entry || entry.version !== current.version) {
      const compiled = compileInputSchema(current.definition.input);
      // Schemas are checked when stored; one that still fails to compile validates nothing rather than rejecting all.
      entry = { version: current.version, validate: compiled.ok ? compiled.validate : null };
      this.#compiled.set(workflow, entry);
    }
    if (!entry.validate || entry.validate(payload)) return null;
    return inputErrors(entry.validate.errors);
  }
}
