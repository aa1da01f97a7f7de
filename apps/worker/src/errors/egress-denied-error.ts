import { WorkflowError } from './workflow-error.js';

/** An outbound connection the egress policy refused (a private address, a scheme other than http/https). Not retryable. */
export class EgressDeniedError extends WorkflowError {
  override name = 'EgressDeniedError';
  constructor(message: string) {
    super('egress_denied', message, false);
  }
}
