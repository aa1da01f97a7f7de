import { ConfigError } from './errors/config-error.js';
import type { Logger } from './logger.js';

/** Runs `load`; on a `ConfigError` prints its message (no stack trace) and exits 1. */
export function exitOnConfigError<T>(component: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    exitIfConfigError(component, err);
    throw err;
  }
}

/** A `ConfigError` is printed as is (no stack trace) and ends the process with 1; anything else is left to the caller. */
export function exitIfConfigError(component: string, err: unknown): void {
  if (err instanceof ConfigError) {
    process.stderr.write(`hookflow ${component}: ${err.message}\n`);
    process.exit(1);
  }
}

/** Unexpected errors are logged as such; an uncaught exception still ends the process (its state is unknown). */
export function installCrashHandlers(log: Logger): void {
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection'));
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception; exiting');
    log.flush?.();
    setTimeout(() => process.exit(1), 100).unref();
  });
}

/**
 * On SIGTERM or SIGINT runs `close` once, then exits 0; if it takes longer than `deadlineMs` (default 25 s, inside
 * the 30 s of API.md's process contract) exits 1 instead of hanging.
 */
export function onShutdownSignal(log: Logger, component: string, close: () => Promise<void>, deadlineMs = 25_000): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, `${component} shutting down`);
    setTimeout(() => {
      log.error(`${component} did not shut down within ${deadlineMs} ms; exiting`);
      log.flush?.();
      process.exit(1);
    }, deadlineMs).unref();
    close().then(
      () => {
        log.info(`${component} stopped`);
        log.flush?.();
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, `${component} shutdown failed`);
        log.flush?.();
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
