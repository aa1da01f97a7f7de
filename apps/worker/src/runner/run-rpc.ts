import type { MessagePort } from 'node:worker_threads';
import { fromWire, toWire, type WireFailure } from '../errors/workflow-error.js';
import type { RunHost } from './run-host.js';

type Method = keyof RunHost;
interface Call {
  id: number;
  method: Method;
  args: unknown[];
}
type Answer = { id: number; value: unknown } | { id: number; failure: WireFailure };

const methods = new Set<string>(['checkpoint', 'store', 'signingSecrets', 'waitDeadline', 'signalLink'] satisfies Method[]);

/**
 * Answers a run thread's calls on `port` with `host` (in the worker's main thread). Returns a function that stops
 * answering: once the run is over, a late call from its thread is dropped rather than written.
 */
export function serveRunHost(port: MessagePort, host: RunHost): () => void {
  let open = true;
  port.on('message', (call: Call) => {
    if (!open || typeof call?.id !== 'number' || !methods.has(call.method) || !Array.isArray(call.args)) return;
    const invoke = host[call.method] as (...args: unknown[]) => Promise<unknown>;
    invoke.apply(host, call.args).then(
      (value) => open && port.postMessage({ id: call.id, value } satisfies Answer),
      (err: unknown) => open && port.postMessage({ id: call.id, failure: toWire(err) } satisfies Answer),
    );
  });
  return () => {
    open = false;
    port.close();
  };
}

/** The RunHost as a run thread sees it: each call a message to the worker's main thread, answered on the same port. */
export function connectRunHost(port: MessagePort): RunHost & { close(): void } {
  let next = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  port.on('message', (answer: Answer) => {
    const waiter = pending.get(answer.id);
    if (!waiter) return;
    pending.delete(answer.id);
    if ('failure' in answer) waiter.reject(fromWire(answer.failure));
    else waiter.resolve(answer.value);
  });
  const call =
    <M extends Method>(method: M) =>
    (...args: Parameters<RunHost[M]>) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        port.postMessage({ id, method, args } satisfies Call);
      }) as ReturnType<RunHost[M]>;
  return {
    checkpoint: call('checkpoint'),
    store: call('store'),
    signingSecrets: call('signingSecrets'),
    waitDeadline: call('waitDeadline'),
    signalLink: call('signalLink'),
    close: () => port.close(),
  };
}
