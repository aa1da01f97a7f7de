/**
 * `npm run demo:upstreams`: small local stand-ins for the services the example workflows of `workflows/*.json` call
 * (a document store, a CRM, a compliance desk and a notification receiver), on one loopback port. It prints the
 * `HOOKFLOW_VAR_*` and `HOOKFLOW_EGRESS_ALLOW` lines to start Hookflow with, and writes them to `.hookflow/demo.env`.
 *
 * DEMO_UPSTREAMS_PORT (default 4780; 0 or a busy port: any free one). DEMO_VERIFY_SECRET: an agent's outbound
 * secret (`hookflow agents outbound-secret <id>`); when set, every notify call received is checked with it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { localHome } from '@hookflow/shared';
import { defaultDemoPort, demoHost as host, demoVars, envFileText } from './demo-env.js';

/** What the stand-ins serve: enough for every example payload, and a made-up record for any other id. */
const documents: Record<string, { title: string; text: string }> = {
  'doc-1042': {
    title: 'Northwind invoice INV-2026-1042',
    text: 'Invoice INV-2026-1042 from Northwind Traders to Contoso Ltd. Amount due: 3,480.00 EUR for 12 cases of office supplies delivered on 14 November. Payment is due within 30 days by bank transfer.',
  },
  'doc-2077': {
    title: 'Service agreement Contoso / Fabrikam',
    text: 'This service agreement between Contoso Ltd and Fabrikam Inc. covers the support contract for twelve months from 1 January. Either party may terminate the contract with 60 days written notice.',
  },
};
const clients: Record<string, { name: string; email: string; tier: string; notes: string }> = {
  'cli-4821': {
    name: 'Contoso Ltd',
    email: 'accounts@contoso.example',
    tier: 'gold',
    notes: 'Renewal due in March; prefers email over calls; two open support tickets.',
  },
};

export interface ReceivedNotification {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Whether the signature verified with DEMO_VERIFY_SECRET; null when no secret was given. */
  verified: boolean | null;
}

export interface DemoUpstreams {
  url: string;
  port: number;
  /** The variables to start Hookflow with, in print order. */
  vars: Record<string, string>;
  received: ReceivedNotification[];
  close: () => Promise<void>;
}

export interface DemoUpstreamOptions {
  port?: number;
  verifySecret?: string;
  onNotification?: (notification: ReceivedNotification) => void;
}

/** Starts the stand-ins; a busy `port` falls back to any free one. */
export async function startDemoUpstreams({
  port = defaultDemoPort,
  verifySecret,
  onNotification,
}: DemoUpstreamOptions = {}): Promise<DemoUpstreams> {
  const received: ReceivedNotification[] = [];
  const verifier = verifySecret ? new Webhook(verifySecret) : null;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        route(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch {
        json(res, 500, { error: 'demo upstream failed' });
      }
    });
  });

  function route(req: IncomingMessage, res: ServerResponse, body: string): void {
    const path = new URL(req.url ?? '/', 'http://demo').pathname;
    const id = (prefix: string) => (path.startsWith(prefix) ? decodeURIComponent(path.slice(prefix.length)) : null);
    if (req.method === 'GET') {
      const documentId = id('/docs/documents/');
      if (documentId) return json(res, 200, { id: documentId, ...(documents[documentId] ?? madeUpDocument(documentId)) });
      const clientId = id('/crm/clients/');
      if (clientId) return json(res, 200, { id: clientId, ...(clients[clientId] ?? madeUpClient(clientId)) });
    }
    if (
      req.method === 'POST' &&
      (path === '/compliance/alerts' || /^\/notify\/(users\/[^/]+\/messages|accounts\/[^/]+\/payments)$/.test(path))
    ) {
      const headers = Object.fromEntries(
        ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(req.headers[name] ?? '')]),
      );
      const notification: ReceivedNotification = { path, headers, body, verified: verifier ? verifies(verifier, body, headers) : null };
      received.push(notification);
      onNotification?.(notification);
      if (notification.verified === false) return json(res, 401, { error: 'signature does not verify with DEMO_VERIFY_SECRET' });
      return json(res, 202, { accepted: true });
    }
    json(res, 404, { error: `the demo upstreams do not serve ${req.method} ${path}` });
  }

  const listening = await listen(server, port).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE') throw err;
    return listen(server, 0);
  });
  const url = `http://${host}:${listening}`;
  return {
    url,
    port: listening,
    vars: demoVars(url),
    received,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The review link a `fraud-alert` alert carries (`review.url`, a wait step's signal link): what a compliance officer
 * opens to approve or reject. Null for any other notification.
 */
export function reviewLinkOf(notification: ReceivedNotification): { transactionId: string; url: string; expiresAt: string } | null {
  if (notification.path !== '/compliance/alerts') return null;
  try {
    const alert = JSON.parse(notification.body) as { transactionId?: unknown; review?: { url?: unknown; expiresAt?: unknown } };
    if (typeof alert.review?.url !== 'string') return null;
    return { transactionId: String(alert.transactionId), url: alert.review.url, expiresAt: String(alert.review.expiresAt) };
  } catch {
    return null;
  }
}

function verifies(verifier: Webhook, body: string, headers: Record<string, string>): boolean {
  try {
    verifier.verify(body, headers);
    return true;
  } catch {
    return false;
  }
}

function madeUpDocument(id: string) {
  return {
    title: `Document ${id}`,
    text: `Support request ${id}: the customer reports that the mobile app logs them out after every update and asks for help restoring saved settings.`,
  };
}

function madeUpClient(id: string) {
  return {
    name: `Client ${id}`,
    email: `${id.replace(/[^A-Za-z0-9]/g, '') || 'client'}@example.com`,
    tier: 'silver',
    notes: 'Created by the demo CRM for an unknown id.',
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as { port: number }).port);
    });
  });
}

async function main(): Promise<void> {
  const raw = process.env.DEMO_UPSTREAMS_PORT;
  const port = raw === undefined || raw === '' ? defaultDemoPort : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`DEMO_UPSTREAMS_PORT must be a port number (0-65535), not ${JSON.stringify(raw)}`);
    process.exit(1);
  }
  const upstreams = await startDemoUpstreams({
    port,
    verifySecret: process.env.DEMO_VERIFY_SECRET || undefined,
    onNotification: (n) => {
      console.log(
        `notify received: POST ${n.path} ${n.verified === null ? '(signature not checked: set DEMO_VERIFY_SECRET)' : n.verified ? '(signature verified)' : '(signature did NOT verify)'} ${n.body}`,
      );
      const review = reviewLinkOf(n);
      if (review) {
        console.log(
          [
            `review link for transaction ${review.transactionId} (valid until ${review.expiresAt}): ${review.url}`,
            '  open it in a browser to approve or reject, or:',
            `  curl -X POST -H 'content-type: application/json' -d '{"approved":true}' ${review.url}`,
          ].join('\n'),
        );
      }
    },
  });
  const envPath = join(localHome(), 'demo.env');
  let written = true;
  try {
    mkdirSync(localHome(), { recursive: true, mode: 0o700 });
    writeFileSync(envPath, envFileText(upstreams.vars));
  } catch {
    written = false;
  }
  const lines = Object.entries(upstreams.vars).map(([name, value]) => `${name}=${value}`);
  console.log(
    [
      `Demo upstreams on ${upstreams.url}: document store /docs, CRM /crm, compliance /compliance, notifications /notify.`,
      '',
      `Start Hookflow with these variables${written ? ` (also written to ${envPath})` : ''}:`,
      '',
      ...lines.map((line) => `  ${line}`),
      '',
      'For example, in another terminal:',
      '',
      `  ${lines.join(' ')} npm start`,
      ...(written ? ['', 'or', '', `  set -a; . ${envPath}; set +a; npm start`] : []),
      '',
      'Then bind a webhook to one of the example workflows and press "Send test event" in the console. Ctrl-C stops the upstreams.',
    ].join('\n'),
  );
  const stop = () => void upstreams.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
