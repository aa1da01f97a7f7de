/** Default tolerance of timestamped schemes (API.md): ±300 s around the receiver's clock. */
export const timestampToleranceSeconds = 300;

export type TimestampCheck = { ok: true; seconds: number } | { ok: false; detail: string };

/** The Unix-seconds timestamp a timestamped scheme signs for `nowMs`. */
export const unixSeconds = (nowMs: number): string => String(Math.floor(nowMs / 1000));

/** Checks a Unix-seconds timestamp header against the injected clock. */
export function checkTimestamp(value: string, nowMs: number, toleranceSeconds = timestampToleranceSeconds): TimestampCheck {
  if (!/^\d{1,12}$/.test(value)) return { ok: false, detail: 'the timestamp must be Unix seconds' };
  const seconds = Number(value);
  if (Math.abs(nowMs / 1000 - seconds) > toleranceSeconds) {
    return { ok: false, detail: `the timestamp is more than ${toleranceSeconds} s away from the receiver's clock` };
  }
  return { ok: true, seconds };
}
