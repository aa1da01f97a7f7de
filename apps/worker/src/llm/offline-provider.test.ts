import { describe, expect, it } from 'vitest';
import { OfflineProvider } from './offline-provider.js';

const text = [
  'Summarise:',
  'ACME Corp sent invoice 2026-114 for consulting services delivered in October.',
  'The weather in Lisbon was pleasant.',
  'The invoice amount due is 1,250 EUR and the invoice is payable within 30 days.',
  'Our team enjoyed lunch.',
  'Invoice questions go to the ACME billing desk.',
].join('\n');
const signal = new AbortController().signal;

describe('OfflineProvider', () => {
  it('extracts the most representative sentences, in order, and says it is offline', async () => {
    const output = await new OfflineProvider().complete({ messages: [{ role: 'user', content: text }], responseFormat: 'text', signal });
    expect(output).toMatchObject({ provider: 'offline', model: 'extractive' });
    const summary = (output as { text: string }).text;
    expect(summary).not.toContain('Summarise');
    expect(summary).not.toContain('lunch');
    expect(summary.indexOf('ACME Corp sent')).toBeLessThan(summary.indexOf('amount due'));
  });

  it('answers JSON requests with a summary, a keyword class and keywords', async () => {
    const output = await new OfflineProvider().complete({ messages: [{ role: 'user', content: text }], responseFormat: 'json', signal });
    expect(output).toMatchObject({ provider: 'offline', json: { category: 'invoice', keywords: expect.arrayContaining(['invoice']) } });
    const other = await new OfflineProvider().complete({
      messages: [{ role: 'user', content: 'Lovely weather today.' }],
      responseFormat: 'json',
      signal,
    });
    expect(other).toMatchObject({ json: { category: 'other', summary: 'Lovely weather today.' } });
  });
});
