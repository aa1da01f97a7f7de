import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger, type StepRecord } from '@hookflow/shared';
import { WorkflowError } from '../errors/workflow-error.js';
import type { CheckpointWriter } from './checkpoints.js';
import { StepRunner, type StepControl, type StepResult } from './step-runner.js';

// StepRunner over an in-memory checkpoint store that keeps finished steps finished (as the Redis one does), with
// fake timers for the backoff between step retries and the clock of the records.

const start = Date.parse('2030-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const deliveryId = 'dlv_steprunnertest000000000000';
const log = createLogger({ name: 'step-runner-test', level: 'silent' });

class MemoryCheckpoints implements CheckpointWriter {
  /** Every record the runner saved, in order (the refused ones included). */
  readonly saves: StepRecord[] = [];
  readonly steps = new Map<string, StepRecord>();

  async save(id: string, record: StepRecord): Promise<StepRecord | null> {
    expect(id).toBe(deliveryId);
    this.saves.push(structuredClone(record));
    const current = this.steps.get(record.id);
    if (current && (current.status === 'succeeded' || current.status === 'skipped')) return current;
    this.steps.set(record.id, structuredClone(record));
    return null;
  }
}

const timeout = () => new WorkflowError('timeout', 'the run took longer than its timeout', false);

function runnerWith(
  previous: StepRecord[] = [],
  checkpoints = new MemoryCheckpoints(),
  controller = new AbortController(),
  abortError = timeout,
) {
  const runner = new StepRunner(deliveryId, previous, checkpoints, controller.signal, log, () => new Date(), abortError);
  return { runner, checkpoints, controller };
}

/** A step body that records each call and answers with `outputs` in turn (an Error is thrown). */
function scripted(...outputs: (unknown | Error)[]) {
  const calls: StepControl[] = [];
  const body = async (control: StepControl): Promise<StepResult> => {
    calls.push(control);
    const next = outputs[Math.min(calls.length, outputs.length) - 1];
    if (next instanceof Error) throw next;
    return { output: next };
  };
  return { body, calls };
}

const never = () => new Promise<StepResult>(() => {});

/** Watches a run without awaiting it, so a run that wrongly keeps waiting fails an assertion instead of hanging. */
function track(run: Promise<unknown>) {
  const state: { settled: boolean; value?: unknown } = { settled: false };
  run.then(
    (value) => Object.assign(state, { settled: true, value }),
    (value: unknown) => Object.assign(state, { settled: true, value }),
  );
  return state;
}

beforeEach(() => {
  vi.useFakeTimers({ now: start });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('StepRunner: checkpoints', () => {
  it('records a step as running, then succeeded with its output, on the clock', async () => {
    const { runner, checkpoints } = runnerWith();
    const { body, calls } = scripted({ total: 3 });
    const run = runner.run('sum', 'transform', async (control) => {
      vi.setSystemTime(start + 40);
      return body(control);
    });
    expect(await run).toEqual({ total: 3 });
    expect(calls.map((c) => [c.attempts, c.startedAt])).toEqual([[1, iso(start)]]);
    expect(checkpoints.saves).toEqual([
      { id: 'sum', type: 'transform', status: 'running', attempts: 1, startedAt: iso(start), finishedAt: null },
      {
        id: 'sum',
        type: 'transform',
        status: 'succeeded',
        attempts: 1,
        startedAt: iso(start),
        finishedAt: iso(start + 40),
        output: { total: 3 },
      },
    ]);
  });

  it('resumes after the finished steps: succeeded and skipped ones are not run again, their outputs are returned', async () => {
    const earlier = iso(start - 60_000);
    const previous: StepRecord[] = [
      { id: 'fetch', type: 'http', status: 'succeeded', attempts: 1, startedAt: earlier, finishedAt: earlier, output: { status: 200 } },
      { id: 'notify', type: 'notify', status: 'skipped', attempts: 0, startedAt: earlier, finishedAt: earlier, output: null },
    ];
    const { runner, checkpoints } = runnerWith(previous);
    const fetch = scripted({ status: 500 });
    const notify = scripted('sent');
    const when = vi.fn(async () => true);
    expect(await runner.run('fetch', 'http', fetch.body)).toEqual({ status: 200 });
    expect(await runner.run('notify', 'notify', notify.body, { when })).toBeNull();
    expect(fetch.calls).toEqual([]);
    expect(notify.calls).toEqual([]);
    expect(when).not.toHaveBeenCalled();
    expect(checkpoints.saves).toEqual([]);
  });

  it('runs a step again that failed or was cut off, counting its tries on from before and keeping its start', async () => {
    const earlier = iso(start - 60_000);
    const previous: StepRecord[] = [
      {
        id: 'failed',
        type: 'http',
        status: 'failed',
        attempts: 2,
        startedAt: earlier,
        finishedAt: earlier,
        error: { code: 'workflow_error', message: 'boom' },
      },
      { id: 'cut', type: 'llm', status: 'running', attempts: 1, startedAt: earlier, finishedAt: null },
    ];
    const { runner, checkpoints } = runnerWith(previous);
    const failed = scripted('fixed');
    const cut = scripted('answered');
    expect(await runner.run('failed', 'http', failed.body)).toBe('fixed');
    expect(await runner.run('cut', 'llm', cut.body)).toBe('answered');
    expect(failed.calls.map((c) => [c.attempts, c.startedAt])).toEqual([[3, earlier]]);
    expect(cut.calls.map((c) => [c.attempts, c.startedAt])).toEqual([[2, earlier]]);
    expect(checkpoints.steps.get('failed')).toMatchObject({ status: 'succeeded', attempts: 3, startedAt: earlier, output: 'fixed' });
  });

  it('returns null for a step without output, and does not save again what the body committed itself', async () => {
    const { runner, checkpoints } = runnerWith();
    expect(await runner.run('empty', 'transform', async () => ({ output: undefined }))).toBeNull();
    expect(await runner.run('write', 'store', async () => ({ output: { balance: 5 }, committed: true }))).toEqual({ balance: 5 });
    expect(checkpoints.saves.map((r) => [r.id, r.status])).toEqual([
      ['empty', 'running'],
      ['empty', 'succeeded'],
      ['write', 'running'],
    ]);
    expect(checkpoints.steps.get('empty')!.output).toBeNull();
  });

  it('refuses a step id used twice in one run, without running the second', async () => {
    const previous: StepRecord[] = [
      { id: 'done', type: 'http', status: 'succeeded', attempts: 1, startedAt: iso(start), finishedAt: iso(start), output: 1 },
    ];
    const { runner } = runnerWith(previous);
    await runner.run('a', 'transform', scripted(1).body);
    await runner.run('done', 'http', scripted(2).body);
    for (const id of ['a', 'done']) {
      const again = scripted(3);
      const error = await runner.run(id, 'transform', again.body).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(WorkflowError);
      expect(error).toMatchObject({ code: 'duplicate_step', retryable: false });
      expect(again.calls).toEqual([]);
    }
  });
});

describe('StepRunner: when', () => {
  it('records a step whose condition is false as skipped without running it, and runs it when true', async () => {
    const { runner, checkpoints } = runnerWith();
    const skipped = scripted('never');
    const ran = scripted('ran');
    expect(await runner.run('maybe', 'notify', skipped.body, { when: async () => false })).toBeNull();
    expect(await runner.run('surely', 'notify', ran.body, { when: async () => true })).toBe('ran');
    expect(skipped.calls).toEqual([]);
    expect(ran.calls).toHaveLength(1);
    expect(checkpoints.steps.get('maybe')).toEqual({
      id: 'maybe',
      type: 'notify',
      status: 'skipped',
      attempts: 0,
      startedAt: iso(start),
      finishedAt: iso(start),
      output: null,
    });
    expect(checkpoints.steps.get('surely')!.status).toBe('succeeded');
  });

  it('takes the record of another worker that finished the step meanwhile over its own skip', async () => {
    const checkpoints = new MemoryCheckpoints();
    checkpoints.steps.set('maybe', {
      id: 'maybe',
      type: 'notify',
      status: 'succeeded',
      attempts: 1,
      startedAt: iso(start),
      finishedAt: iso(start),
      output: 'sent elsewhere',
    });
    const { runner } = runnerWith([], checkpoints);
    expect(await runner.run('maybe', 'notify', scripted('never').body, { when: async () => false })).toBe('sent elsewhere');
  });
});

describe('StepRunner: retries', () => {
  it('tries a failing step again after the fixed backoff, up to its attempts, and records every try', async () => {
    const { runner, checkpoints } = runnerWith();
    const { body, calls } = scripted(new Error('flaky'), new Error('flaky'), 'ok');
    const run = track(runner.run('call', 'http', body, { retry: { attempts: 3, backoff: { type: 'fixed', delayMs: 1_000 } } }));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(run).toEqual({ settled: true, value: 'ok' });
    expect(calls.map((c) => c.attempts)).toEqual([1, 2, 3]);
    expect(checkpoints.saves.map((r) => [r.status, r.attempts])).toEqual([
      ['running', 1],
      ['failed', 1],
      ['running', 2],
      ['failed', 2],
      ['running', 3],
      ['succeeded', 3],
    ]);
    expect(checkpoints.saves[1]!.error).toEqual({ code: 'workflow_error', message: 'flaky' });
  });

  it('doubles an exponential backoff after each failed try', async () => {
    const { runner } = runnerWith();
    const { body, calls } = scripted(new Error('flaky'), new Error('flaky'), 'ok');
    const run = track(runner.run('call', 'http', body, { retry: { attempts: 3, backoff: { type: 'exponential', delayMs: 100 } } }));
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(199);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toEqual({ settled: true, value: 'ok' });
    expect(calls).toHaveLength(3);
  });

  it('throws the last error once the attempts are used up, with the step recorded failed', async () => {
    const { runner, checkpoints } = runnerWith();
    const { body, calls } = scripted(new Error('down'));
    const run = track(runner.run('call', 'http', body, { retry: { attempts: 2, backoff: { type: 'fixed', delayMs: 10 } } }));
    await vi.advanceTimersByTimeAsync(10);
    expect(run).toEqual({ settled: true, value: expect.objectContaining({ message: 'down' }) });
    expect(calls).toHaveLength(2);
    expect(checkpoints.steps.get('call')).toMatchObject({
      status: 'failed',
      attempts: 2,
      error: { code: 'workflow_error', message: 'down' },
    });
  });

  it('tries a step once without a retry policy', async () => {
    const { runner } = runnerWith();
    const { body, calls } = scripted(new Error('down'), 'ok');
    await expect(runner.run('call', 'http', body)).rejects.toThrow('down');
    expect(calls).toHaveLength(1);
  });

  it('does not try again after a failure that is not retryable', async () => {
    const { runner, checkpoints } = runnerWith();
    const refused = new WorkflowError('payment_invalid', 'the amount must be positive', false);
    const { body, calls } = scripted(refused, 'ok');
    const run = track(runner.run('check', 'transform', body, { retry: { attempts: 5, backoff: { type: 'fixed', delayMs: 10 } } }));
    await vi.advanceTimersByTimeAsync(100);
    expect(run).toEqual({ settled: true, value: refused });
    expect(calls).toHaveLength(1);
    expect(checkpoints.steps.get('check')).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'payment_invalid', message: 'the amount must be positive' },
    });
  });
});

describe('StepRunner: abort', () => {
  it("fails a step whose body ignores the signal with the abort's error as soon as the run is aborted", async () => {
    const { runner, checkpoints, controller } = runnerWith();
    let signal: AbortSignal | undefined;
    const run = track(runner.run('slow', 'llm', (control) => ((signal = control.signal), never())));
    await vi.advanceTimersByTimeAsync(0);
    expect(run.settled).toBe(false);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(run.value).toMatchObject({ code: 'timeout', retryable: false });
    expect(signal?.aborted).toBe(true);
    expect(checkpoints.steps.get('slow')).toMatchObject({ status: 'failed', error: { code: 'timeout' } });
  });

  it("reports the abort's error, not what the body threw on it, and does not retry", async () => {
    const { runner, checkpoints, controller } = runnerWith();
    const calls: number[] = [];
    const body = (control: StepControl) =>
      new Promise<StepResult>((_, reject) => {
        calls.push(control.attempts);
        control.signal.addEventListener('abort', () => reject(new Error('socket closed')));
      });
    const run = track(runner.run('call', 'http', body, { retry: { attempts: 3, backoff: { type: 'fixed', delayMs: 10 } } }));
    await vi.advanceTimersByTimeAsync(0);
    controller.abort();
    await vi.advanceTimersByTimeAsync(100);
    expect(run.value).toMatchObject({ code: 'timeout' });
    expect(calls).toEqual([1]);
    expect(checkpoints.steps.get('call')!.error).toMatchObject({ code: 'timeout' });
  });

  it('does not retry a step inside the run after an abort whose error is retryable (the worker stopping)', async () => {
    const stopping = new WorkflowError('worker_stopping', 'the worker stopped while running this delivery', true);
    const { runner, controller } = runnerWith([], new MemoryCheckpoints(), new AbortController(), () => stopping);
    const calls: number[] = [];
    const run = track(
      runner.run('call', 'http', (control) => (calls.push(control.attempts), never()), {
        retry: { attempts: 3, backoff: { type: 'fixed', delayMs: 0 } },
      }),
    );
    await vi.advanceTimersByTimeAsync(0);
    controller.abort();
    await vi.advanceTimersByTimeAsync(100);
    expect(run).toEqual({ settled: true, value: stopping });
    expect(calls).toEqual([1]);
  });

  it('stops waiting out a backoff when the run is aborted', async () => {
    const { runner, controller } = runnerWith();
    const { body, calls } = scripted(new Error('flaky'), 'ok');
    const run = track(runner.run('call', 'http', body, { retry: { attempts: 2, backoff: { type: 'fixed', delayMs: 60_000 } } }));
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toEqual({ settled: true, value: expect.objectContaining({ code: 'timeout' }) });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(1);
  });

  it('starts no step once the run is aborted, whatever its condition', async () => {
    const { runner, checkpoints, controller } = runnerWith();
    controller.abort();
    const { body, calls } = scripted('ok');
    await expect(runner.run('late', 'http', body)).rejects.toMatchObject({ code: 'timeout' });
    await expect(runner.run('guarded', 'http', body, { when: async () => false })).rejects.toMatchObject({ code: 'timeout' });
    expect(calls).toEqual([]);
    expect(checkpoints.saves).toEqual([]);
  });
});

describe('StepRunner: a lost lock', () => {
  it('takes the result of another worker that finished the step before it started, without running it', async () => {
    const checkpoints = new MemoryCheckpoints();
    checkpoints.steps.set('call', {
      id: 'call',
      type: 'http',
      status: 'succeeded',
      attempts: 1,
      startedAt: iso(start),
      finishedAt: iso(start),
      output: 'theirs',
    });
    const { runner } = runnerWith([], checkpoints);
    const { body, calls } = scripted('ours');
    expect(await runner.run('call', 'http', body)).toBe('theirs');
    expect(calls).toEqual([]);
  });

  it('returns the result of another worker that finished the step while this one ran it, not its own', async () => {
    const checkpoints = new MemoryCheckpoints();
    const { runner } = runnerWith([], checkpoints);
    const theirs: StepRecord = {
      id: 'call',
      type: 'http',
      status: 'succeeded',
      attempts: 2,
      startedAt: iso(start),
      finishedAt: iso(start),
      output: 'theirs',
    };
    const output = await runner.run('call', 'http', async () => {
      checkpoints.steps.set('call', theirs);
      return { output: 'ours' };
    });
    expect(output).toBe('theirs');
    expect(checkpoints.steps.get('call')).toEqual(theirs);
  });
});
