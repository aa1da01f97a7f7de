/**
 * What `npm start` checks before it spends time on the build: both apps' configuration (every bad variable named,
 * once, together) and the two ports it is going to listen on.
 */
import { ConfigError } from '@hookflow/shared';
import { loadConfig as loadIngressConfig, type IngressConfig } from '../apps/ingress/src/config.js';
import { loadConfig as loadWorkerConfig, type WorkerConfig } from '../apps/worker/src/config.js';
import { freePort, portIsFree } from './free-port.js';

export interface StartConfig {
  ingress: IngressConfig;
  worker: WorkerConfig;
  /** The worker's health port was taken from the free ones because the default was in use. */
  workerPortMoved: boolean;
}

/** Loads both configurations from `env`; throws one `ConfigError` with the problems of both (a shared variable once). */
export function loadStartConfig(env: NodeJS.ProcessEnv): { ingress: IngressConfig; worker: WorkerConfig } {
  const problems = new Set<string>();
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const problem of err.problems) problems.add(problem);
      return undefined;
    }
  };
  const ingress = attempt(() => loadIngressConfig(env));
  const worker = attempt(() => loadWorkerConfig(env));
  if (problems.size > 0) throw ConfigError.ofProblems([...problems]);
  return { ingress: ingress!, worker: worker! };
}

/**
 * Settles the ports in `env` (which it updates, for the children): `PORT` must be free, since the CLI and the printed
 * commands name it; `WORKER_PORT`, when not set, is 9464 or else any free port, so a second installation on the machine
 * still has its worker health endpoint. `0` means any free port for either. Throws a `ConfigError` naming the variable.
 */
export async function settleStartConfig(env: NodeJS.ProcessEnv): Promise<StartConfig> {
  let { ingress, worker } = loadStartConfig(env);
  if (ingress.port === 0) env.PORT = String(await freePort());
  else if (!(await portIsFree(ingress.port)))
    throw ConfigError.ofProblems([`PORT: ${ingress.port} is in use (another Hookflow, or another server); set PORT to a free port`]);

  const workerPortChosen = Boolean(env.WORKER_PORT);
  const workerPortTaken = worker.port === Number(env.PORT) || !(await portIsFree(worker.port));
  let workerPortMoved = false;
  if (worker.port === 0 || (!workerPortChosen && workerPortTaken)) {
    env.WORKER_PORT = String(await freePortOtherThan(Number(env.PORT)));
    workerPortMoved = worker.port !== 0;
  } else if (workerPortTaken) {
    throw ConfigError.ofProblems([
      `WORKER_PORT: ${worker.port} is in use; set WORKER_PORT to a free port, or leave it unset to take a free one`,
    ]);
  }
  ({ ingress, worker } = loadStartConfig(env));
  return { ingress, worker, workerPortMoved };
}

async function freePortOtherThan(taken: number): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port !== taken) return port;
  }
}
