import { createServer, type Server } from 'node:http';

export interface HealthServerOptions {
  port: number;
  /** Extra routes by path (for example `/metrics`), each answering a content type and a body. */
  routes?: Record<string, () => Promise<{ contentType: string; body: string }>>;
}

/** The worker's small HTTP surface: `/healthz` and whatever `routes` add. No framework needed for two GETs. */
export function startHealthServer({ port, routes = {} }: HealthServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
      return;
    }
    const route = routes[path];
    if (!route) {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'not found' }));
      return;
    }
    route().then(
      ({ contentType, body }) => res.writeHead(200, { 'Content-Type': contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve(server));
  });
}
