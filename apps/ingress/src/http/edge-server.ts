import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface EdgeLimits {
  /** Time a request's headers and body have to arrive (`HOOKFLOW_REQUEST_TIMEOUT_MS`). */
  requestTimeoutMs: number;
  /** Open connections accepted; past it new ones are closed at once (`HOOKFLOW_MAX_CONNECTIONS`). */
  maxConnections: number;
}

/**
 * Longer than the idle timeout of the proxies and load balancers usually put in front (60 s), so they never reuse a
 * connection this server is closing. An idle connection costs little, and `maxConnections` bounds how many there are.
 */
const keepAliveTimeoutMs = 65_000;
/**
 * Headers are at most 16 KiB and arrive at once from any real sender; one still sending them after this is holding
 * a connection on purpose.
 */
const maxHeadersTimeoutMs = 10_000;

/**
 * The ingress's HTTP server, bounded against slow and numerous clients. Node enforces `requestTimeout` and
 * `headersTimeout` only when it sweeps its connections, every `connectionsCheckingInterval` (30 s by default, which
 * would let a trickling sender hold a connection up to twice its deadline): the sweep here runs often enough that a
 * request is cut off within a second of its deadline. Node answers such a request 408 and closes its connection.
 */
export function createEdgeServer(listener: (req: IncomingMessage, res: ServerResponse) => void, limits: EdgeLimits): Server {
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: Math.min(limits.requestTimeoutMs, maxHeadersTimeoutMs),
      keepAliveTimeout: keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, Math.max(50, Math.floor(limits.requestTimeoutMs / 10))),
    },
    listener,
  );
  server.maxConnections = limits.maxConnections;
  return server;
}
