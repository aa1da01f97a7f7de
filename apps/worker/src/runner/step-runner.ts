import { retryDelayMs } from '@hookflow/protocol';
import type { Logger, StepCallOptions, StepRecord } from '@hookflow/shared';
import { describeFailure, WorkflowError } from '../errors/workflow-error.js';
import { RunSuspended } from '../errors/run-suspended.js';
import type { CheckpointWriter } from './checkpoints.js';

export interface StepControl {
  /** This step's tries so far, including this one, over every attempt of the delivery. */
  attempts: number;
  startedAt: string;
  signal: AbortSignal;
}

/** A step body's result: a plain output, or one whose checkpoint the body already committed (a `store` write). */
export type StepResult = { output: unknown; committed?: boolean };

export type RunStepOptions = StepCallOptions;

/**
 * Runs the steps of one attempt of a delivery. A step whose checkpoint says `succeeded` (or `skipped`) is not run
 * again: its stored output is returned. That is what makes a retry resume after the last finished step.
 */
export class StepRunner {
  readonly #done = new Map<string, StepRecord>();
  readonly #seen = new Set<string>();

  constructor(
    private readonly deliveryId: string,
    previous: readonly StepRecord[],
    private readonly checkpoints: CheckpointWriter,
    private readonly signal: AbortSignal,
    private readonly log: Logger,
    private readonly now: () => Date,
    /** Abort reason → error, so a timeout shows as `timeout` rather than a generic abort. */
    private readonly abortError: () => Error,
  ) {
    for (const step of previous) this.#done.set(step.id, step);
  }

  async run(id: string, type: string, body: (control: StepControl) => Promise<StepResult>, options: RunStepOptions = {}): Promise<unknown> {
    if (this.#seen.has(id)) throw new WorkflowError('duplicate_step', `step id ${id} is used twice in one run`, false);
    this.#seen.add(id);
    const prior = this.#done.get(id);
    if (prior && (prior.status === 'succeeded' || prior.status === 'skipped')) return prior.output ?? null;

    const startedAt = prior?.startedAt ?? this.now().toISOString();
    let attempts = prior?.attempts ?? 0;
    if (options.when && !(await this.guard(options.when))) {
      const skipped: StepRecord = { id, type, status: 'skipped', attempts, startedAt, finishedAt: this.now().toISOString(), output: null };
      const finished = await this.checkpoints.save(this.deliveryId, skipped);
      return finished ? (finished.output ?? null) : null;
    }

    const maxTries = options.retry?.attempts ?? 1;
    for (let tries = 1; ; tries++) {
      attempts += 1;
      this.throwIfAborted();
      const running: StepRecord = { id, type, status: 'running', attempts, startedAt, finishedAt: null };
      const finished = await this.checkpoints.save(this.deliveryId, running);
      // Another worker finished this step meanwhile (we lost the job's lock): take its result.
      if (finished) return finished.output ?? null;
      try {
        const result = await this.raceAbort(body({ attempts, startedAt, signal: this.signal }));
        if (!result.committed) {
          const succeeded: StepRecord = {
            id,
            type,
            status: 'succeeded',
            attempts,
            startedAt,
            finishedAt: this.now().toISOString(),
            output: result.output ?? null,
          };
          const other = await this.checkpoints.save(this.deliveryId, succeeded);
          if (other) return other.output ?? null;
        }
        return result.output ?? null;
      } catch (caught) {
        // A wait step stopping the run: the step stays `running` (it is, until its signal or deadline), not failed.
        if (caught instanceof RunSuspended && !this.signal.aborted) throw caught;
        const err = this.signal.aborted ? this.abortError() : caught;
        const failure = describeFailure(err);
        await this.checkpoints.save(this.deliveryId, {
          id,
          type,
          status: 'failed',
          attempts,
          startedAt,
          finishedAt: this.now().toISOString(),
          error: { code: failure.code, message: failure.message },
        });
        if (!failure.retryable || tries >= maxTries || this.signal.aborted) throw err;
        this.log.debug({ deliveryId: this.deliveryId, step: id, tries, code: failure.code }, 'step failed; retrying it');
        await this.sleep(retryDelayMs(options.retry!, tries));
      }
    }
  }

  private async guard(when: () => Promise<boolean>): Promise<boolean> {
    return this.raceAbort(when());
  }

  private throwIfAborted(): void {
    if (this.signal.aborted) throw this.abortError();
  }

  /** A step body that ignores the signal must still not hold the run past its timeout. */
  private raceAbort<T>(promise: Promise<T>): Promise<T> {
    if (this.signal.aborted) return Promise.reject(this.abortError());
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(this.abortError());
      this.signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (value) => {
          this.signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (err: unknown) => {
          this.signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }

  private sleep(ms: number): Promise<void> {
    return this.raceAbort(new Promise((resolve) => setTimeout(resolve, ms)));
  }
}
