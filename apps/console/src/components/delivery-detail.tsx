import { useEffect, useRef, useState } from 'react';
import { api, messageOf } from '../api';
import { Notice } from './notice';
import { StatusBadge } from './status-badge';
import { usePoll } from './use-poll';
import { formatDuration, formatTime, json } from './format';
import { DataTable } from './data-table';
import { useReadOnly } from './read-only';
import { Modal } from './modal';
import { cancellableStatuses } from '../types';
import { WaitPanel, type SignalOutcome } from './wait-panel';

/**
 * One delivery: what came in (payload, headers), what each step did, the result; "Replay" runs it again, "Cancel"
 * (after a confirmation) stops one that has not ended for good; a waiting one shows what it waits for and takes the signal.
 */
export function DeliveryDetail({
  deliveryId,
  onOpen,
  onClose,
  onReplayed,
}: {
  deliveryId: string;
  onOpen: (id: string) => void;
  onClose: () => void;
  onReplayed: (newId: string) => void;
}) {
  // Kept polling while open: a finished delivery can move again (Retry failed).
  const delivery = usePoll(() => api.delivery(deliveryId), 1500, [deliveryId]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmingCancel, setConfirmingCancel] = useState(false);
  const [signalOutcome, setSignalOutcome] = useState<SignalOutcome | null>(null);
  const readOnly = useReadOnly();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const d = delivery.data;

  useEffect(() => {
    headingRef.current?.focus();
  }, [deliveryId]);

  const replay = async () => {
    setBusy(true);
    setError(null);
    try {
      const answer = await api.replay(deliveryId);
      onReplayed(answer.deliveryId);
    } catch (err) {
      setError(`Replay failed: ${messageOf(err)}`);
    } finally {
      setBusy(false);
    }
  };

  const cancel = async () => {
    setConfirmingCancel(false);
    setBusy(true);
    setError(null);
    try {
      await api.cancel(deliveryId);
      delivery.refresh();
    } catch (err) {
      setError(`Cancel failed: ${messageOf(err)}`);
      delivery.refresh();
    } finally {
      setBusy(false);
    }
  };

  const signalAnswered = (outcome: SignalOutcome) => {
    setSignalOutcome(outcome);
    delivery.refresh();
  };

  return (
    <section className="delivery-detail card" aria-labelledby="delivery-title">
      <div className="page-head">
        <h3 id="delivery-title" ref={headingRef} tabIndex={-1}>
          Delivery <code>{deliveryId}</code>
        </h3>
        <div className="toolbar">
          <button type="button" onClick={() => void replay()} disabled={busy || !d || readOnly}>
            Replay
          </button>
          {d && cancellableStatuses.has(d.status) && (
            <button type="button" className="danger" onClick={() => setConfirmingCancel(true)} disabled={busy || readOnly}>
              Cancel
            </button>
          )}
          <button type="button" className="secondary" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
      {confirmingCancel && (
        <Modal title="Cancel delivery" onClose={() => setConfirmingCancel(false)}>
          <p>
            Cancel delivery <code>{deliveryId}</code>? It stops now (a running one before its next step) and never runs again. This cannot
            be undone; Replay can still run its payload as a new delivery.
          </p>
          <div className="form-actions">
            <button type="button" className="secondary" onClick={() => setConfirmingCancel(false)} autoFocus>
              Keep it
            </button>
            <button type="button" className="danger" onClick={() => void cancel()}>
              Cancel delivery
            </button>
          </div>
        </Modal>
      )}
      <Notice kind="error">{error}</Notice>
      {signalOutcome && <Notice kind={signalOutcome.kind}>{signalOutcome.text}</Notice>}
      <Notice kind="error">{delivery.error && `Could not load the delivery: ${delivery.error}`}</Notice>
      {d && (
        <>
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <StatusBadge status={d.status} />
            </dd>
            <dt>Workflow</dt>
            <dd>{d.workflow}</dd>
            <dt>Received</dt>
            <dd>{formatTime(d.receivedAt)}</dd>
            <dt>Finished</dt>
            <dd>
              {formatTime(d.finishedAt)} ({formatDuration(d.receivedAt, d.finishedAt)})
            </dd>
            {d.cancelledAt && (
              <>
                <dt>Cancelled</dt>
                <dd>{formatTime(d.cancelledAt)}</dd>
              </>
            )}
            <dt>Attempts</dt>
            <dd>{d.attempts}</dd>
            <KeyRow label="Dedupe key" value={d.dedupeKey} />
            <KeyRow label="Concurrency key" value={d.concurrencyKey} />
            <LinkRow label="Waiting behind" id={d.waitingBehind} onOpen={onOpen} note="(same concurrency key, earlier in line)" />
            <KeyRow label="Debounce key" value={d.debounceKey} />
            <LinkRow label="Superseded by" id={d.supersededBy} onOpen={onOpen} />
            <LinkRow label="Replay of" id={d.replayOf} onOpen={onOpen} />
            {d.error && (
              <>
                <dt>Error</dt>
                <dd className="error-text">
                  <code>{d.error.code}</code>: {d.error.message}
                </dd>
              </>
            )}
          </dl>
          {d.waitingFor && <WaitPanel deliveryId={d.id} waitingFor={d.waitingFor} onAnswered={signalAnswered} />}
          <h4>Steps</h4>
          {d.steps.length === 0 ? (
            <p className="muted">No steps recorded{d.workflow === 'echo' ? ' (a built-in workflow runs as one piece)' : ''}.</p>
          ) : (
            <DataTable caption="Steps, in the order they ran" columns={['Step', 'Type', 'Status', 'Attempts', 'Output or error']}>
              {d.steps.map((step) => (
                <tr key={step.id}>
                  <td>
                    <code>{step.id}</code>
                  </td>
                  <td>{step.type}</td>
                  <td>
                    <StatusBadge status={step.status} />
                  </td>
                  <td>{step.attempts}</td>
                  <td>
                    {step.error ? (
                      <span className="error-text">
                        <code>{step.error.code}</code>: {step.error.message}
                      </span>
                    ) : (
                      <pre className="code small">{json(step.output)}</pre>
                    )}
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
          <div className="detail-grid">
            <div>
              <h4>Payload</h4>
              <pre className="code" aria-label="Payload" tabIndex={0}>
                {json(d.payload)}
              </pre>
            </div>
            <div>
              <h4>Headers</h4>
              <pre className="code" aria-label="Headers" tabIndex={0}>
                {json(d.headers)}
              </pre>
            </div>
            <div>
              <h4>Result</h4>
              <pre className="code" aria-label="Result" tabIndex={0}>
                {json(d.result)}
              </pre>
            </div>
          </div>
        </>
      )}
    </section>
  );
}

/** A row naming a key value, shown only when the delivery has one. */
function KeyRow({ label, value }: { label: string; value: string | null | undefined }) {
  if (!value) return null;
  return (
    <>
      <dt>{label}</dt>
      <dd>
        <code>{value}</code>
      </dd>
    </>
  );
}

/** A row naming another delivery, opened on click; shown only when there is one. */
function LinkRow({
  label,
  id,
  onOpen,
  note,
}: {
  label: string;
  id: string | null | undefined;
  onOpen: (id: string) => void;
  note?: string;
}) {
  if (!id) return null;
  return (
    <>
      <dt>{label}</dt>
      <dd>
        <button type="button" className="link-button mono" onClick={() => onOpen(id)}>
          {id}
        </button>
        {note ? ` ${note}` : null}
      </dd>
    </>
  );
}
