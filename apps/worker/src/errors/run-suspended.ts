import type { WaitingFor } from '@hookflow/shared';

/**
 * Not a failure: the run reached a `wait` step whose signal has not come, and stops there so the delivery can wait
 * without a worker. Thrown by the wait step, it passes through the step runner unrecorded and ends the run with a
 * `suspended` outcome; the worker then marks the delivery `waiting` and parks its job (runner/wait-parking.ts).
 */
export class RunSuspended extends Error {
  override name = 'RunSuspended';
  constructor(readonly waitingFor: WaitingFor) {
    super(`waiting at step ${waitingFor.stepId} for signal ${waitingFor.signal} until ${waitingFor.expiresAt}`);
  }
}
