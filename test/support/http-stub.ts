import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: any;
}

export type StubHandler = (req: RecordedRequest, res: ServerResponse, raw: IncomingMessage) => void | Promise<void>;

export interface HttpStub {
  url: string;
  requests: RecordedRequest[];
  /** Requests whose path starts with `prefix`. */
  hits: (prefix: string) => RecordedRequest[];
  close: () => Promise<void>;
}

/** A small local HTTP service for workflow tests (document store, CRM, sinks, an LLM stub) on a free 127.0.0.1 port. */
export async function startStub(handler: StubHandler): Promise<HttpStub> {
  const requests: RecordedRequest[] = [];
  const server = createServer((raw, res) => {
    let body = '';
    raw.setEncoding('utf8');
    raw.on('data', (chunk: string) => (body += chunk));
    raw.on('end', () => {
      let json: unknown = undefined;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        // not JSON
      }
      const recorded: RecordedRequest = { method: raw.method ?? 'GET', path: raw.url ?? '/', headers: raw.headers, body, json };
      requests.push(recorded);
      Promise.resolve(handler(recorded, res, raw)).catch((err: Error) => {
        if (!res.headersSent) res.writeHead(500).end(err.message);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    hits: (prefix) => requests.filter((r) => r.path.startsWith(prefix)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** An OpenAI-compatible chat completions endpoint answering `answer(request)` as the assistant's message. */
export function llmStubHandler(answer: (request: any) => string): StubHandler {
  return (req, res) => {
    if (req.method !== 'POST' || req.path !== '/v1/chat/completions') return sendJson(res, 404, { error: { message: 'not found' } });
    sendJson(res, 200, {
      id: 'chatcmpl-test',
      object: 'chat.completion',
      model: req.json?.model,
      choices: [{ index: 0, message: { role: 'assistant', content: answer(req.json) }, finish_reason: 'stop' }],
    });
  };
}
