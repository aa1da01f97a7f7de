/** The low-level reason a request never got an answer (ECONNREFUSED, ENOTFOUND, a timeout…), from fetch's error chain. */
export function networkReason(err: unknown): string {
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.length > 0) return code;
    if (current.name === 'TimeoutError') return 'timed out';
    current = current.cause;
  }
  return err instanceof Error ? err.message : String(err);
}
