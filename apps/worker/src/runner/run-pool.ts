import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Logger } from '@hookflow/shared';
import type { RunSettings } from '../config.js';
import { fromWire, WorkflowError } from '../errors/workflow-error.js';
import { RunSuspended } from '../errors/run-suspended.js';
import type { TypeScriptWorkflow } from '../workflows/define-workflow.js';
import { abortReason, createRunEnvironment, executeRun, type RunEnvironment, type RunOutcome, type RunTask } from './execute-run.js';
import type { RunHost } from './run-host.js';
import { serveRunHost } from './run-rpc.js';
import type { RunThreadData, RunThreadTask } from './run-thread.js';

/**
 * Where deliveries' workflows run. `run` resolves with the result or rejects with a `WorkflowError`, or with
 * `RunSuspended` when the run stopped at a wait step.
 */
export interface RunExecutor {
  run(task: RunTask, host: RunHost, signal: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

export interface RunPoolOptions {
  settings: RunSettings;
  /** Runs in flight at most: one thread each. */
  threads: number;
  /** Heap cap of a run's thread (`HOOKFLOW_RUN_MEMORY_MB`). */
  memoryMb: number;
  log: Logger;
  /** A module exporting `builtinImplementations` for the threads to run instead of the worker's (tests). */
  workflowsModule?: URL;
  /** How long an idle thread is kept for the next run (default 60 s). */
  idleTimeoutMs?: number;
}

// From the TypeScript sources (tests, the bench) the thread is this directory's run-thread.ts, loaded with tsx;
// from the bundle (dist/main.js) it is the bundle's sibling dist/run-thread.js (scripts/build-apps.mjs).
const fromSource = import.meta.url.endsWith('.ts');
const threadFile = fileURLToPath(new URL(fromSource ? './run-thread.ts' : './run-thread.js', import.meta.url));
const threadExecArgv = fromSource ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];

/**
 * Runs each delivery's workflow in a thread of its own (piscina, one run per thread at a time), so a runaway run is
 * ended by terminating its thread while the worker and the other runs go on: its timeout or cancel aborts `signal`,
 * which terminates the thread; a heap over `memoryMb` ends the thread with `resource_exhausted`. Threads are reused
 * (the providers and compiled expressions they built stay warm); a run carries only its delivery and workflow.
 */
export function createRunPool({ settings, threads, memoryMb, log, workflowsModule, idleTimeoutMs = 60_000 }: RunPoolOptions): RunExecutor {
  // A bundle without its thread entry would fail every run; refuse to start instead.
  if (!existsSync(threadFile)) throw new Error(`the run thread entry ${threadFile} is missing; run npm run build`);
  const pool = new Piscina<RunThreadTask, RunOutcome>({
    filename: threadFile,
    minThreads: 1,
    maxThreads: threads,
    // One run per thread: terminating a thread must never end a run that shares it.
    concurrentTasksPerWorker: 1,
    idleTimeout: idleTimeoutMs,
    // A small young generation: a run thread's RSS grows by what it commits, and short runs do not need more.
    resourceLimits: {
      maxOldGenerationSizeMb: memoryMb,
      maxYoungGenerationSizeMb: Math.max(4, Math.min(16, Math.floor(memoryMb / 32))),
      stackSizeMb: 4,
    },
    workerData: { settings, ...(workflowsModule ? { workflowsModule: fileURLToPath(workflowsModule) } : {}) } satisfies RunThreadData,
    // A run thread sees no environment: no Redis URL, no master key; what it needs is in `settings`.
    env: {},
    execArgv: threadExecArgv,
  });
  // A thread that dies between runs is replaced by piscina; nothing to fail, but worth a line.
  pool.on('error', (err: Error) => log.warn({ err: err.message }, 'a run thread failed outside a run'));

  return {
    async run(task, host, signal) {
      const { port1, port2 } = new MessageChannel();
      const stopServing = serveRunHost(port1, host);
      let outcome: RunOutcome;
      try {
        outcome = await pool.run({ ...task, port: port2 }, { signal, transferList: [port2] });
      } catch (err) {
        throw threadFailure(err, signal, memoryMb);
      } finally {
        stopServing();
      }
      return settle(outcome);
    },
    close: () => pool.destroy(),
  };
}

function settle(outcome: RunOutcome): unknown {
  if (outcome.ok) return outcome.result;
  if ('suspended' in outcome) throw new RunSuspended(outcome.suspended);
  throw fromWire(outcome.failure);
}

const threadEndedCodes: ReadonlySet<string> = new Set(['resource_exhausted', 'run_crashed']);

/** Whether a failure with `code` is one of a run whose thread ended before the step in hand could record its end. */
export function endedItsThread(code: string): boolean {
  return threadEndedCodes.has(code);
}

/** Why a run's thread ended without an outcome: the run was aborted, went over its heap cap, or the thread crashed. */
function threadFailure(err: unknown, signal: AbortSignal, memoryMb: number): WorkflowError {
  if (signal.aborted) return abortReason(signal);
  if ((err as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new WorkflowError('resource_exhausted', `the run went over its memory cap of ${memoryMb} MB (HOOKFLOW_RUN_MEMORY_MB)`, false);
  }
  return new WorkflowError(
    'run_crashed',
    `the run's thread ended unexpectedly: ${(err as Error).message ?? String(err)}`.slice(0, 1000),
    true,
  );
}

/**
 * UNSAFE: runs workflows in the worker's own thread, where a synchronous loop blocks every delivery and a heap
 * blow-up kills the process. It exists only so the bench can measure what the thread pool costs; the worker never
 * uses it, and no configuration selects it.
 */
export function unsafeInProcessRuns(settings: RunSettings, builtins: Record<string, TypeScriptWorkflow>, log: Logger): RunExecutor {
  const environment: RunEnvironment = createRunEnvironment(settings, builtins, log);
  return {
    run: async (task, host, signal) => settle(await executeRun(task, host, environment, signal)),
    close: async () => {},
  };
}
