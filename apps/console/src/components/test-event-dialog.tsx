import { useEffect, useState, type FormEvent } from 'react';
import { api, messageOf } from '../api';
import type { FieldError, Webhook } from '../types';
import { FieldErrorList } from './field-error-list';
import { Modal } from './modal';
import { parseJson } from './parse-json';

const sourceText = {
  examples: "the workflow's first example",
  sample: "a sample made from the workflow's input schema",
};

/**
 * "Send test event": the payload to send, editable, prefilled with what the server would send without one (the
 * workflow's example, else a sample fitting its input schema). Invalid JSON is shown inline and never sent; what the
 * endpoint refused (422 with the paths of the bad fields) stays in the dialog so the payload can be fixed.
 */
export function TestEventDialog({
  webhook,
  onClose,
  onSent,
}: {
  webhook: Webhook;
  onClose: () => void;
  onSent: (message: string) => void;
}) {
  const [text, setText] = useState<string | null>(null);
  const [source, setSource] = useState<keyof typeof sourceText | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<{ message: string; errors: FieldError[] } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api.testEventPreview(webhook.id).then(
      (preview) => {
        if (!live) return;
        setText(JSON.stringify(preview.payload, null, 2));
        setSource(preview.source);
      },
      (err: unknown) => {
        if (!live) return;
        setLoadError(`Could not load the example payload: ${messageOf(err)}`);
        setText('{}');
      },
    );
    return () => {
      live = false;
    };
  }, [webhook.id]);

  const parsed = text === null ? null : parseJson(text);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!parsed?.ok) return;
    setBusy(true);
    setRefusal(null);
    try {
      const answer = await api.sendTestEvent(webhook.id, parsed.value);
      const body = answer.response.body as {
        deliveryId?: string;
        status?: string;
        code?: string;
        detail?: string;
        errors?: FieldError[];
      } | null;
      if (answer.response.status >= 200 && answer.response.status < 300) {
        onSent(`Test event accepted (${answer.response.status}): delivery ${body?.deliveryId ?? '?'} is ${body?.status ?? 'queued'}.`);
        onClose();
        return;
      }
      setRefusal({
        message: `The endpoint refused it (${answer.response.status} ${body?.code ?? ''}): ${body?.detail ?? 'no detail'}`,
        errors: body?.errors ?? [],
      });
    } catch (err) {
      setRefusal({ message: messageOf(err), errors: [] });
    } finally {
      setBusy(false);
    }
  };

  const invalid = parsed !== null && !parsed.ok;
  return (
    <Modal title="Send test event" onClose={onClose}>
      <form className="form" onSubmit={(event) => void submit(event)}>
        <p>
          The server signs this payload with the primary key of “{webhook.name}” and posts it to the endpoint, so it takes the path a
          sender&apos;s request takes and runs <code>{webhook.workflow}</code>.
        </p>
        {text === null ? (
          <p className="loading">Loading the example payload…</p>
        ) : (
          <>
            <label htmlFor="test-event-payload">Payload (JSON)</label>
            <textarea
              id="test-event-payload"
              className="code"
              rows={12}
              spellCheck={false}
              value={text}
              onChange={(event) => {
                setText(event.target.value);
                setRefusal(null);
              }}
              aria-invalid={invalid || undefined}
              aria-describedby={invalid ? 'test-event-json-error' : 'test-event-help'}
            />
            {invalid ? (
              <p id="test-event-json-error" className="field-error" role="alert">
                {parsed.message}
              </p>
            ) : (
              <p id="test-event-help" className="muted">
                {source ? `Prefilled with ${sourceText[source]}.` : loadError} Edit it freely: invalid JSON is not sent.
              </p>
            )}
          </>
        )}
        {refusal && (
          <div className="field-error" role="alert">
            <p>{refusal.message}</p>
            <FieldErrorList errors={refusal.errors} root="(payload)" />
          </div>
        )}
        <div className="form-actions">
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy || !parsed?.ok}>
            Send test event
          </button>
        </div>
      </form>
    </Modal>
  );
}
