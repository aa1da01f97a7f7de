import { problem, type Problem, type ProblemCode } from './problem.js';

/**
 * Thrown by admin-API services for an expected refusal (not found, conflict). The HTTP layer turns it into its
 * problem+json answer; nothing else catches it.
 */
export class ProblemError extends Error {
  override name = 'ProblemError';
  readonly problem: Problem;
  constructor(code: ProblemCode, detail: string, extra: Record<string, unknown> = {}) {
    super(detail);
    this.problem = problem(code, detail, extra);
  }
}
