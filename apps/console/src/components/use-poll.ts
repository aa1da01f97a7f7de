import { useCallback, useEffect, useRef, useState } from 'react';
import { messageOf } from '../api';

export interface Polled<T> {
  data: T | null;
  error: string | null;
  updatedAt: Date | null;
  /** Loads again now (after a change the user made), without waiting for the next tick. */
  refresh: () => void;
}

/**
 * Calls `load` now and then `intervalMs` after each call finished (calls never overlap; 0 loads once), skipping
 * ticks while the tab is hidden. `deps` start it afresh. A failed call keeps the last data and reports the error.
 */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number, deps: readonly unknown[]): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const kick = useRef<() => void>(() => undefined);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let stopped = false;
    let running = false;
    let again = false;
    let loadedOnce = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setData(null);
    setError(null);
    setUpdatedAt(null);

    const tick = async (): Promise<void> => {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      clearTimeout(timer);
      running = true;
      try {
        if (!loadedOnce || document.visibilityState !== 'hidden') {
          const value = await loadRef.current();
          if (stopped) return;
          loadedOnce = true;
          setData(value);
          setError(null);
          setUpdatedAt(new Date());
        }
      } catch (err) {
        if (!stopped) setError(messageOf(err));
      } finally {
        running = false;
        if (!stopped && again) {
          again = false;
          void tick();
        } else if (!stopped && intervalMs > 0) {
          timer = setTimeout(() => void tick(), intervalMs);
        }
      }
    };
    kick.current = () => void tick();
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, deps);

  const refresh = useCallback(() => kick.current(), []);
  return { data, error, updatedAt, refresh };
}
