import { useState, type FormEvent } from 'react';
import { api, messageOf } from '../api';
import { Link } from '../router';
import { Modal } from '../components/modal';
import { Notice } from '../components/notice';
import { usePoll } from '../components/use-poll';
import { formatTime } from '../components/format';
import { DataTable } from '../components/data-table';
import { useReadOnly } from '../components/read-only';

/** Every agent, and "Create agent". */
export function AgentsPage() {
  const agents = usePoll(() => api.agents(), 0, []);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const readOnly = useReadOnly();

  return (
    <section aria-labelledby="agents-title">
      <div className="page-head">
        <h1 id="agents-title">Agents</h1>
        <button type="button" onClick={() => setCreating(true)} disabled={readOnly}>
          Create agent
        </button>
      </div>
      <Notice kind="info">{created && `Agent “${created}” created. Open it to add its webhooks on the Triggers tab.`}</Notice>
      <Notice kind="error">{agents.error && `Could not load the agents: ${agents.error}`}</Notice>
      {agents.data && agents.data.items.length === 0 && (
        <p className="empty">No agents yet. Create one, then give it webhooks on its Triggers tab.</p>
      )}
      {agents.data && agents.data.items.length > 0 && (
        <DataTable caption="Agents" columns={['Name', 'Description', 'Created', 'ID']}>
          {agents.data.items.map((agent) => (
            <tr key={agent.id}>
              <td>
                <Link to={`/agents/${agent.id}`}>{agent.name}</Link>
              </td>
              <td>{agent.description || <span className="muted">—</span>}</td>
              <td>{formatTime(agent.createdAt)}</td>
              <td>
                <code>{agent.id}</code>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {creating && (
        <CreateAgentDialog
          onClose={() => setCreating(false)}
          onCreated={(name) => {
            setCreating(false);
            setCreated(name);
            agents.refresh();
          }}
        />
      )}
    </section>
  );
}

function CreateAgentDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (name: string) => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const agent = await api.createAgent({ name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) });
      onCreated(agent.name);
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };

  return (
    <Modal title="Create agent" onClose={onClose}>
      <form onSubmit={submit} className="form">
        <label htmlFor="agent-name">Name</label>
        <input id="agent-name" required maxLength={100} value={name} onChange={(event) => setName(event.target.value)} autoFocus />
        <label htmlFor="agent-description">Description</label>
        <textarea
          id="agent-description"
          rows={3}
          maxLength={2000}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
        />
        <Notice kind="error">{error}</Notice>
        <div className="form-actions">
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy || name.trim() === ''}>
            Create
          </button>
        </div>
      </form>
    </Modal>
  );
}
