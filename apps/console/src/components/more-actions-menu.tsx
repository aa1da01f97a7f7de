import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { api } from '../api';
import type { Webhook, WebhookStatus } from '../types';
import { Modal } from './modal';
import { useReadOnly } from './read-only';

interface Item {
  label: string;
  /** A link (the key download) or an action. */
  href?: string;
  act?: () => void;
}

/**
 * "More Actions" of a webhook: a menu button (WAI-ARIA menu pattern: arrows move, Escape closes and returns focus).
 * "Download Private Key" is a plain link to the key file, so the browser downloads it with the session cookie.
 */
export function MoreActionsMenu({
  webhook,
  hasKey,
  run,
}: {
  webhook: Webhook;
  hasKey: boolean;
  run: (action: () => Promise<string>) => Promise<void>;
}) {
  const menuId = useId();
  const [open, setOpen] = useState(false);
  const [dialog, setDialog] = useState<'rotate' | 'delete' | null>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const itemRefs = useRef<(HTMLElement | null)[]>([]);
  const wrapRef = useRef<HTMLDivElement>(null);
  const readOnly = useReadOnly();

  const setStatus = (status: WebhookStatus, done: string) => () =>
    void run(async () => {
      await api.setStatus(webhook.id, status);
      return done;
    });

  const download: Item[] = hasKey ? [{ label: 'Download Private Key', href: api.privateKeyUrl(webhook.id) }] : [];
  // A read-only session may download the key file (a read) but change nothing.
  const items: Item[] = readOnly
    ? download
    : [
        ...download,
        { label: hasKey ? 'Rotate key' : 'Generate Private Key', act: () => setDialog('rotate') },
        ...(webhook.status === 'enabled'
          ? [{ label: 'Pause', act: setStatus('paused', `“${webhook.name}” is paused: new deliveries are held until it resumes.`) }]
          : []),
        ...(webhook.status !== 'enabled'
          ? [
              {
                label: 'Resume',
                act: setStatus('enabled', `“${webhook.name}” is enabled again; held deliveries are released in arrival order.`),
              },
            ]
          : []),
        ...(webhook.status !== 'disabled'
          ? [{ label: 'Disable', act: setStatus('disabled', `“${webhook.name}” is disabled: its endpoint refuses requests (403).`) }]
          : []),
        { label: 'Delete', act: () => setDialog('delete') },
      ];

  useEffect(() => {
    if (!open) return;
    itemRefs.current[0]?.focus();
    const outside = (event: MouseEvent) => {
      if (!wrapRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', outside);
    return () => document.removeEventListener('mousedown', outside);
  }, [open]);

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) buttonRef.current?.focus();
  };

  const onMenuKey = (event: KeyboardEvent) => {
    const index = itemRefs.current.findIndex((el) => el === document.activeElement);
    const focus = (i: number) => itemRefs.current[(i + items.length) % items.length]?.focus();
    if (event.key === 'ArrowDown') focus(index + 1);
    else if (event.key === 'ArrowUp') focus(index - 1);
    else if (event.key === 'Home') focus(0);
    else if (event.key === 'End') focus(items.length - 1);
    else if (event.key === 'Escape') close(true);
    else if (event.key === 'Tab') return close(false);
    else return;
    event.preventDefault();
  };

  return (
    <div className="menu-wrap" ref={wrapRef}>
      <button
        ref={buttonRef}
        type="button"
        className="secondary"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        disabled={items.length === 0}
        onClick={() => setOpen((was) => !was)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' && !open) {
            event.preventDefault();
            setOpen(true);
          }
        }}
      >
        More Actions <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <ul id={menuId} role="menu" aria-label={`More actions for ${webhook.name}`} className="menu" onKeyDown={onMenuKey}>
          {items.map((item, index) => (
            <li key={item.label} role="none">
              {item.href ? (
                <a
                  role="menuitem"
                  href={item.href}
                  download
                  tabIndex={-1}
                  ref={(el) => {
                    itemRefs.current[index] = el;
                  }}
                  // Closed after the click, so the browser still follows the link to download the file.
                  onClick={() => setTimeout(() => close(true), 0)}
                >
                  {item.label}
                </a>
              ) : (
                <button
                  role="menuitem"
                  type="button"
                  tabIndex={-1}
                  className={item.label === 'Delete' ? 'menu-danger' : undefined}
                  ref={(el) => {
                    itemRefs.current[index] = el;
                  }}
                  onClick={() => {
                    close(true);
                    item.act?.();
                  }}
                >
                  {item.label}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {dialog === 'rotate' && <RotateKeyDialog webhook={webhook} hasKey={hasKey} run={run} onClose={() => setDialog(null)} />}
      {dialog === 'delete' && <DeleteWebhookDialog webhook={webhook} run={run} onClose={() => setDialog(null)} />}
    </div>
  );
}

function RotateKeyDialog({
  webhook,
  hasKey,
  run,
  onClose,
}: {
  webhook: Webhook;
  hasKey: boolean;
  run: (action: () => Promise<string>) => Promise<void>;
  onClose: () => void;
}) {
  const [grace, setGrace] = useState('3600');
  const graceSeconds = Number(grace);
  const valid = Number.isInteger(graceSeconds) && graceSeconds >= 0 && graceSeconds <= 30 * 86_400;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onClose();
    void run(async () => {
      await api.generateKey(webhook.id, graceSeconds);
      const previous = !hasKey
        ? ''
        : graceSeconds > 0
          ? ` The previous key keeps working for ${graceSeconds} s.`
          : ' The previous key no longer works.';
      return `New private key generated for “${webhook.name}”.${previous} Download it with More Actions → Download Private Key.`;
    });
  };
  return (
    <Modal title={hasKey ? 'Rotate key' : 'Generate Private Key'} onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <p>
          A new private key becomes the one senders must use. During the grace period the previous key is accepted too, so senders can
          switch without losing requests.
        </p>
        <label htmlFor="grace-seconds">Grace period (seconds)</label>
        <input
          id="grace-seconds"
          type="number"
          min={0}
          max={30 * 86_400}
          step={1}
          value={grace}
          onChange={(event) => setGrace(event.target.value)}
          aria-invalid={!valid || undefined}
          aria-describedby="grace-help"
        />
        <p id="grace-help" className={valid ? 'muted' : 'field-error'}>
          0 revokes the previous key at once; at most 30 days (2592000).
        </p>
        <div className="form-actions">
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={!valid}>
            {hasKey ? 'Rotate key' : 'Generate Private Key'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function DeleteWebhookDialog({
  webhook,
  run,
  onClose,
}: {
  webhook: Webhook;
  run: (action: () => Promise<string>) => Promise<void>;
  onClose: () => void;
}) {
  return (
    <Modal title="Delete webhook" onClose={onClose}>
      <p>Delete “{webhook.name}”? Its endpoint answers 404 from then on and its keys are gone. This cannot be undone.</p>
      <div className="form-actions">
        <button type="button" className="secondary" onClick={onClose} autoFocus>
          Cancel
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => {
            onClose();
            void run(async () => {
              await api.deleteWebhook(webhook.id);
              return `Webhook “${webhook.name}” deleted.`;
            });
          }}
        >
          Delete webhook
        </button>
      </div>
    </Modal>
  );
}
