import { useState, type FormEvent } from 'react';
import { api, ApiError, messageOf, type FieldError } from '../api';
import { schemes, type Webhook } from '../types';
import { Modal } from './modal';
import { Notice } from './notice';
import { usePoll } from './use-poll';
import { WorkflowEditor } from './workflow-editor';
import { FieldErrorList } from './field-error-list';

/** "Create Webhook": pick the workflow it runs (or write a new one), the signature scheme and a name. */
export function CreateWebhookDialog({
  agentId,
  onClose,
  onCreated,
}: {
  agentId: string;
  onClose: () => void;
  onCreated: (webhook: Webhook) => void;
}) {
  const workflows = usePoll(() => api.workflows(), 0, []);
  const [name, setName] = useState('');
  const [workflow, setWorkflow] = useState('');
  const [scheme, setScheme] = useState<string>('uptiq');
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);

  const items = workflows.data?.items ?? [];
  const chosen = workflow || items[0]?.name || '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setErrors([]);
    try {
      onCreated(await api.createWebhook(agentId, { workflow: chosen, scheme, ...(name.trim() ? { name: name.trim() } : {}) }));
    } catch (err) {
      const fields = err instanceof ApiError ? err.errors : [];
      setError(fields.length > 0 ? 'The server refused these settings:' : messageOf(err));
      setErrors(fields);
      setBusy(false);
    }
  };

  return (
    <Modal title="Create Webhook" onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <label htmlFor="webhook-name">Name</label>
        <input
          id="webhook-name"
          maxLength={100}
          placeholder="e.g. Document processed"
          value={name}
          onChange={(event) => setName(event.target.value)}
          autoFocus
        />

        <label htmlFor="webhook-workflow">Workflow</label>
        <select
          id="webhook-workflow"
          value={chosen}
          onChange={(event) => setWorkflow(event.target.value)}
          required
          aria-describedby="workflow-help"
        >
          {items.map((item) => (
            <option key={item.name} value={item.name}>
              {item.name} ({item.source === 'builtin' ? 'built-in' : `v${item.version}`})
            </option>
          ))}
        </select>
        <p id="workflow-help" className="muted">
          {items.find((item) => item.name === chosen)?.description ?? 'The workflow runs once for every accepted request.'}{' '}
          <button type="button" className="link-button" onClick={() => setEditing((was) => !was)} aria-expanded={editing}>
            {editing ? 'Close the workflow editor' : 'or create a new workflow'}
          </button>
        </p>
        <Notice kind="error">{workflows.error && `Could not load the workflows: ${workflows.error}`}</Notice>

        {editing && (
          <WorkflowEditor
            onSaved={(saved) => {
              setEditing(false);
              setWorkflow(saved);
              workflows.refresh();
            }}
          />
        )}

        <label htmlFor="webhook-scheme">Signature scheme</label>
        <select id="webhook-scheme" value={scheme} onChange={(event) => setScheme(event.target.value)} aria-describedby="scheme-help">
          {schemes.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <p id="scheme-help" className="muted">
          uptiq: senders put the hex HMAC-SHA256 of the body, keyed with the private key, in <code>x-signature</code>. Pick another to
          receive a provider's own signed webhooks.
        </p>

        <Notice kind="error">{error}</Notice>
        <FieldErrorList errors={errors} root="(body)" />
        <div className="form-actions">
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy || !chosen}>
            Create
          </button>
        </div>
      </form>
    </Modal>
  );
}
