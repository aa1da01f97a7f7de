import { useEffect, useId, useState, type FormEvent } from 'react';
import { api, ApiError, messageOf } from '../api';
import type { WaitingFor } from '../types';
import { formatTime, formatTimeLeft } from './format';
import { parseJson } from './parse-json';
import { useReadOnly } from './read-only';

export interface SignalOutcome {
  kind: 'info' | 'error';
  text: string;
}

/** The two answers most waits ask for, one click each; anything else goes through the JSON field. */
const quickAnswers = [
  { label: 'Approve', body: { approved: true }, className: undefined },
  { label: 'Reject', body: { approved: false }, className: 'secondary' },
] as const;

/** The API's refusals of a signal (API.md §5.5), said in words; the wait has changed since the page last looked. */
function refusalText(err: unknown, signal: string): string {
  if (err instanceof ApiError && err.code === 'signal_not_found') {
    return `Signal not sent: the delivery is no longer waiting for “${signal}” (it may have timed out or been cancelled).`;
  }
  if (err instanceof ApiError && err.code === 'signal_already_received') {
    return `Signal not sent: “${signal}” was already received, so the delivery has already resumed.`;
  }
  return `Signal not sent: ${messageOf(err)}`;
}

/** The current time, once a second, so a countdown moves without waiting for the next poll. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/**
 * A waiting delivery's pause: the `wait` step, the signal it waits for and its deadline (absolute and time left), and
 * the form that sends the signal (admin token only; the read-only session is told why it has none). What the API
 * answers goes to `onAnswered`, which outlives this panel: once the signal is taken the delivery is no longer waiting.
 */
export function WaitPanel({
  deliveryId,
  waitingFor,
  onAnswered,
}: {
  deliveryId: string;
  waitingFor: WaitingFor;
  onAnswered: (outcome: SignalOutcome) => void;
}) {
  const id = useId();
  const readOnly = useReadOnly();
  const now = useNow();
  const [text, setText] = useState('{\n  "approved": true\n}');
  const [busy, setBusy] = useState(false);
  const left = formatTimeLeft(waitingFor.expiresAt, now);
  const parsed = parseJson(text);

  const sendSignal = async (body: unknown) => {
    setBusy(true);
    try {
      const answer = await api.signal(deliveryId, waitingFor.signal, body);
      onAnswered({ kind: 'info', text: `Signal “${answer.signal}” sent: delivery ${answer.deliveryId} ${answer.status}.` });
    } catch (err) {
      onAnswered({ kind: 'error', text: refusalText(err, waitingFor.signal) });
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (parsed.ok) void sendSignal(parsed.value);
  };

  return (
    <section className="wait-panel" aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`}>Waiting for a signal</h4>
      <dl className="facts">
        <dt>Step</dt>
        <dd>
          <code>{waitingFor.stepId}</code>
        </dd>
        <dt>Signal</dt>
        <dd>
          <code>{waitingFor.signal}</code>
        </dd>
        <dt>Until</dt>
        <dd>
          {formatTime(waitingFor.expiresAt)} ({left ? `${left} left` : 'the deadline has passed'})
        </dd>
      </dl>
      {readOnly ? (
        <p className="muted">Sending the signal needs the admin token.</p>
      ) : (
        <form className="form" onSubmit={submit} aria-label={`Send signal ${waitingFor.signal}`}>
          <div className="actions">
            {quickAnswers.map((answer) => (
              <button
                key={answer.label}
                type="button"
                className={answer.className}
                onClick={() => void sendSignal(answer.body)}
                disabled={busy}
              >
                {answer.label} <code>{JSON.stringify(answer.body)}</code>
              </button>
            ))}
          </div>
          <label htmlFor={`${id}-body`}>Signal body (JSON)</label>
          <textarea
            id={`${id}-body`}
            className="code"
            rows={4}
            spellCheck={false}
            value={text}
            onChange={(event) => setText(event.target.value)}
            aria-invalid={!parsed.ok || undefined}
            aria-describedby={`${id}-help`}
          />
          {parsed.ok ? (
            <p id={`${id}-help`} className="muted">
              The body becomes the output of step <code>{waitingFor.stepId}</code> and the run goes on. Invalid JSON is not sent.
            </p>
          ) : (
            <p id={`${id}-help`} className="field-error" role="alert">
              {parsed.message}
            </p>
          )}
          <div className="form-actions">
            <button type="submit" disabled={busy || !parsed.ok}>
              Send signal
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
