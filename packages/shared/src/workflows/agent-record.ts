/** One agent record as the Records API shows it. */
export interface AgentRecord {
  collection: string;
  key: string;
  /** Null only when it cannot be shown (see `presentationError`). */
  value: Record<string, unknown> | null;
  updatedAt: string;
  /** Present only when the stored value cannot be shown (nested too deep to serialise, or not JSON); `value` is then null. */
  presentationError?: { code: string; message: string };
}
