/** Inline messages: `status` for news (read politely), `alert` for a failure the user should act on. */
export function Notice({ kind, children }: { kind: 'info' | 'error'; children: React.ReactNode }) {
  if (!children) return null;
  return (
    <p className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </p>
  );
}
