import { signUptiq } from '../test/support/client.js';

/**
 * A realistic ~200-byte event (a document pipeline notifying the agent), serialised the way the reference sender
 * does. One body and one signature for the whole run: the server still verifies the HMAC on every request (nothing
 * caches signatures), while signing per request would spend the load generator's CPU on the same 2 cores the
 * servers run on and blur the comparison.
 */
export function benchPayload(privateKey: string): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({
    event: 'document.extracted',
    documentId: 'doc_7f3a9c2e41b8',
    agentId: 'agent-invoices',
    pages: 3,
    text: 'Invoice 2026-1142 from ACME Corp, total 1,280.00 EUR, due 2026-12-15.',
    occurredAt: '2026-11-28T07:30:00.000Z',
  });
  return { body, headers: { 'content-type': 'application/json', 'x-signature': signUptiq(body, privateKey) } };
}
