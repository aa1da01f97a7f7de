import { StepCheckpoints, type Keys, type RedisClient, type StepRecord } from '@hookflow/shared';
import { WorkflowError } from '../errors/workflow-error.js';

/**
 * Fails with `output_too_large` (not retryable: the same step makes the same output) when `json` is longer than
 * `maxBytes`, so one step or run cannot grow a delivery record without bound.
 */
export function assertOutputFits(json: string, maxBytes: number, what: string): void {
  // A UTF-8 byte is at most 3 per UTF-16 unit: only long strings need counting.
  if (json.length * 3 <= maxBytes) return;
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes)
    throw new WorkflowError(
      'output_too_large',
      `${what} is ${bytes} bytes of JSON, over HOOKFLOW_MAX_STEP_OUTPUT_BYTES (${maxBytes})`,
      false,
    );
}

/** The failure of a run whose delivery was cancelled: final, never retried. */
export const cancelledError = () => new WorkflowError('cancelled', 'the delivery was cancelled', false);

/**
 * The worker's step records (see StepCheckpoints in the shared package, which owns how they are written): saves
 * within the output cap, and a step starting on a cancelled delivery fails the run as `cancelled`.
 */
export class Checkpoints {
  readonly #steps: StepCheckpoints;

  constructor(
    redis: RedisClient,
    keys: Keys,
    /** `HOOKFLOW_MAX_STEP_OUTPUT_BYTES`: the largest record a step may save. */
    private readonly maxRecordBytes: number,
  ) {
    this.#steps = new StepCheckpoints(redis, keys);
  }

  /**
   * Saves a step record (JSON, serialised by the run that made it) unless the step already finished; then returns the
   * finished record's JSON instead. Refuses a record over the output cap with `output_too_large`, and throws the
   * `cancelled` error when a step would start on a cancelled delivery.
   */
  async save(deliveryId: string, stepId: string, recordJson: string): Promise<string | null> {
    assertOutputFits(recordJson, this.maxRecordBytes, `the output of step ${stepId}`);
    const saved = await this.#steps.save(deliveryId, stepId, recordJson);
    if (saved.outcome === 'cancelled') throw cancelledError();
    return saved.outcome === 'finished' ? saved.recordJson : null;
  }

  /** Records the step a stopped run was in (still `running`) as failed with the run's error. */
  abandonRunning(deliveryId: string, error: { code: string; message: string }, finishedAt: Date): Promise<number> {
    return this.#steps.abandonRunning(deliveryId, error, finishedAt);
  }
}

/** Where a run's step records go (through the worker's RunHost, see run-host.ts). */
export interface CheckpointWriter {
  save(deliveryId: string, record: StepRecord): Promise<StepRecord | null>;
}
