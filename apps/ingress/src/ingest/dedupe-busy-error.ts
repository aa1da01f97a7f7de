/** The first request with a dedupe key was still being stored when a duplicate gave up waiting for it (answered 503). */
export class DedupeBusyError extends Error {
  override name = 'DedupeBusyError';
}
