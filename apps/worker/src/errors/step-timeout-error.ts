import { WorkflowError } from './workflow-error.js';

/** A step or the whole run ran past its `timeoutMs`. Retryable: the next attempt may be faster. */
export class StepTimeoutError extends WorkflowError {
  override name = 'StepTimeoutError';
  constructor(message: string) {
    super('timeout', message, true);
  }
}
