import { createRequire } from 'node:module';
import { workerData, type MessagePort } from 'node:worker_threads';
import type { RunSettings } from '../config.js';
import type { TypeScriptWorkflow } from '../workflows/define-workflow.js';
import { builtinImplementations } from '../workflows/builtins.js';
import { createRunEnvironment, executeRun, type RunEnvironment, type RunOutcome, type RunTask } from './execute-run.js';
import { connectRunHost } from './run-rpc.js';

/** What every run thread is started with (piscina `workerData`). */
export interface RunThreadData {
  settings: RunSettings;
  /** The path of a module exporting `builtinImplementations` to run instead of the worker's own (tests add theirs). */
  workflowsModule?: string;
}

/** One run's task: the run and the port on which the thread reaches the worker's RunHost. */
export type RunThreadTask = RunTask & { port: MessagePort };

const data = workerData as RunThreadData;
let environment: RunEnvironment | undefined;

function loadEnvironment(): RunEnvironment {
  // require, not import(): from the TypeScript sources a thread has tsx's require hook only (Node 20 gives worker
  // threads no module.register hooks), and piscina loads this file through require too.
  const builtins = data.workflowsModule
    ? (createRequire(import.meta.url)(data.workflowsModule) as { builtinImplementations: Record<string, TypeScriptWorkflow> })
        .builtinImplementations
    : builtinImplementations;
  return createRunEnvironment(data.settings, builtins);
}

/**
 * The piscina task of a run thread. The worker ends a run that overstays by terminating this thread, so the run's
 * own signal never fires here; the providers and compiled expressions stay for the thread's next runs.
 */
export default async function runInThread(task: RunThreadTask): Promise<RunOutcome> {
  const host = connectRunHost(task.port);
  try {
    return await executeRun(task, host, (environment ??= loadEnvironment()), new AbortController().signal);
  } finally {
    host.close();
  }
}
