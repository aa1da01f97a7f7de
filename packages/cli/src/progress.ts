import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  tick(): void;
  stop(): void;
}

/**
 * A progress bar for bulk work, on stderr so stdout stays clean for `--json` and pipes. Drawn only on a terminal;
 * elsewhere (CI, tests, pipes) it stays silent.
 */
export function startProgress(total: number, label: string, enabled = process.stderr.isTTY === true): Progress {
  if (!enabled || total <= 1) return { tick() {}, stop() {} };
  const bar = new SingleBar(
    { format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta}s`, stream: process.stderr, hideCursor: true },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return { tick: () => bar.increment(), stop: () => bar.stop() };
}
