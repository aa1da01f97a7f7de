import { WorkflowError } from './workflow-error.js';

/** A response body longer than `HOOKFLOW_MAX_RESPONSE_BYTES`: reading stopped there. Not retryable. */
export class ResponseTooLargeError extends WorkflowError {
  override name = 'ResponseTooLargeError';
  constructor(message: string) {
    super('response_too_large', message, false);
  }
}
