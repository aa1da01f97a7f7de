import type { Server } from 'node:http';

/**
 * Stops `server` gracefully: no new connections, every request in flight is answered, then it resolves.
 * `server.close()` alone is not enough under load: a keep-alive connection that always has a next request is never
 * idle, so it would stay open until the shutdown deadline. From now on every response says `Connection: close`,
 * which ends its connection after that response, and connections that fall idle are closed as they do.
 */
export function drainServer(server: Server, sweepMs = 100): Promise<void> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), sweepMs);
    server.on('request', (_req, res) => {
      if (!res.headersSent) res.setHeader('Connection', 'close');
    });
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
