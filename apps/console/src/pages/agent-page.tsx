import { useRef, useState, type KeyboardEvent } from 'react';
import { api, messageOf } from '../api';
import { Link, navigate } from '../router';
import { Notice } from '../components/notice';
import { usePoll } from '../components/use-poll';
import { formatTime } from '../components/format';
import { TriggersTab } from './triggers-tab';
import { useReadOnly } from '../components/read-only';
import { OutboundSecretPanel } from '../components/outbound-secret-panel';

type Tab = 'overview' | 'triggers';
const tabs: { id: Tab; label: string; path: string }[] = [
  { id: 'overview', label: 'Overview', path: '' },
  { id: 'triggers', label: 'Triggers', path: '/triggers' },
];

/** One agent, with its tabs; the Triggers tab holds its webhooks. The tab is part of the URL. */
export function AgentPage({ agentId, tab }: { agentId: string; tab: Tab }) {
  const agent = usePoll(() => api.agent(agentId), 0, [agentId]);
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);

  const select = (index: number) => {
    const next = tabs[(index + tabs.length) % tabs.length]!;
    navigate(`/agents/${agentId}${next.path}`);
    tabRefs.current[(index + tabs.length) % tabs.length]?.focus();
  };
  // Arrow keys move between tabs (the WAI-ARIA tabs pattern); Tab moves on into the panel.
  const onKeyDown = (event: KeyboardEvent, index: number) => {
    if (event.key === 'ArrowRight') select(index + 1);
    else if (event.key === 'ArrowLeft') select(index - 1);
    else if (event.key === 'Home') select(0);
    else if (event.key === 'End') select(tabs.length - 1);
    else return;
    event.preventDefault();
  };

  if (agent.error && !agent.data) {
    return (
      <section>
        <h1>Agent</h1>
        <Notice kind="error">{`Could not load agent ${agentId}: ${agent.error}`}</Notice>
        <Link to="/">Back to the agents</Link>
      </section>
    );
  }
  if (!agent.data) return <p className="loading">Loading…</p>;

  return (
    <section aria-labelledby="agent-title">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">Agents</Link> <span aria-hidden="true">/</span> <span>{agent.data.name}</span>
      </nav>
      <h1 id="agent-title">{agent.data.name}</h1>
      {agent.data.description && <p className="muted">{agent.data.description}</p>}
      <div role="tablist" aria-label="Agent sections" className="tabs">
        {tabs.map((t, index) => (
          <button
            key={t.id}
            ref={(el) => {
              tabRefs.current[index] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => navigate(`/agents/${agentId}${t.path}`)}
            onKeyDown={(event) => onKeyDown(event, index)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tab-panel">
        {tab === 'triggers' ? <TriggersTab agentId={agentId} /> : <Overview agentId={agentId} createdAt={agent.data.createdAt} />}
      </div>
    </section>
  );
}

function Overview({ agentId, createdAt }: { agentId: string; createdAt: string }) {
  const [error, setError] = useState<string | null>(null);
  const readOnly = useReadOnly();
  const remove = async () => {
    if (!window.confirm('Delete this agent? Only an agent without webhooks can be deleted.')) return;
    try {
      await api.deleteAgent(agentId);
      navigate('/');
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <div className="overview">
      <dl className="facts">
        <dt>ID</dt>
        <dd>
          <code>{agentId}</code>
        </dd>
        <dt>Created</dt>
        <dd>{formatTime(createdAt)}</dd>
      </dl>
      <p>
        Third-party systems reach this agent through webhooks. Set them up on the <Link to={`/agents/${agentId}/triggers`}>Triggers</Link>{' '}
        tab.
      </p>
      <OutboundSecretPanel agentId={agentId} />
      <Notice kind="error">{error}</Notice>
      <button type="button" className="danger" onClick={() => void remove()} disabled={readOnly}>
        Delete agent
      </button>
    </div>
  );
}
