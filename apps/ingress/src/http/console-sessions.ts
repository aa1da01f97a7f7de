import { createHash, randomBytes } from 'node:crypto';
import type { Keys, RedisClient } from '@hookflow/shared';
import type { AdminRole } from './admin-auth.js';

/** The cookie that carries a console session id. */
export const sessionCookieName = 'hookflow_session';

/** How long a console session lasts after sign-in; Redis expires it, so no sweeper is needed. */
export const sessionTtlSeconds = 8 * 60 * 60;

export interface ConsoleSession {
  role: AdminRole;
  /** Sent back by the console in `x-csrf-token` on every write made with the session cookie. */
  csrfToken: string;
  expiresAt: string;
}

function hashOf(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}

/**
 * Console sign-in sessions in Redis, keyed by the hash of the cookie value. The cookie is a random 256-bit id, so
 * it cannot be guessed, and a copy of Redis cannot be replayed as a cookie.
 */
export class ConsoleSessions {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(role: AdminRole): Promise<{ id: string; session: ConsoleSession }> {
    const id = randomBytes(32).toString('base64url');
    const session: ConsoleSession = {
      role,
      csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: new Date(this.now().getTime() + sessionTtlSeconds * 1000).toISOString(),
    };
    await this.redis.set(this.keys.consoleSession(hashOf(id)), JSON.stringify(session), 'EX', sessionTtlSeconds);
    return { id, session };
  }

  async find(id: string | undefined): Promise<ConsoleSession | null> {
    if (!id || id.length > 200) return null;
    const raw = await this.redis.get(this.keys.consoleSession(hashOf(id)));
    return raw === null ? null : (JSON.parse(raw) as ConsoleSession);
  }

  async delete(id: string | undefined): Promise<void> {
    if (id) await this.redis.del(this.keys.consoleSession(hashOf(id)));
  }
}
