import type { LlmOutput, LlmProvider, LlmRequest } from './provider.js';

/**
 * No model at all: used when `LLM_BASE_URL` is not set, so the demo runs without network or keys. It extracts rather
 * than writes: the highest-scoring sentences of the last user message (word frequency, stop words ignored) as the
 * summary, and a class picked by keyword lists. Every output says `provider: "offline"`.
 */
export class OfflineProvider implements LlmProvider {
  readonly name = 'offline';

  async complete(request: LlmRequest): Promise<LlmOutput> {
    const input = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const text = contentOf(input);
    const summary = summarise(text, 3);
    if (request.responseFormat === 'text') return { text: summary, provider: this.name, model: 'extractive' };
    return { json: { summary, category: classify(text), keywords: keywords(text, 5) }, provider: this.name, model: 'extractive' };
  }
}

const stopWords = new Set(
  'a an and are as at be been but by for from has have he her his i if in into is it its me my no not of on or our she so than that the their them then there these they this to was we were what when which who will with you your please summarise summarize summary classify text document following'.split(
    ' ',
  ),
);

/** Drops a leading instruction line such as "Summarise:" so it does not end up in the summary. */
function contentOf(prompt: string): string {
  const lines = prompt.split('\n');
  if (lines.length > 1 && /:\s*$/.test(lines[0]!) && lines[0]!.length < 200) return lines.slice(1).join('\n');
  return prompt;
}

function words(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []).filter((w) => w.length > 2 && !stopWords.has(w));
}

function summarise(text: string, maxSentences: number): string {
  const sentences = (text.replace(/\s+/g, ' ').match(/[^.!?]+[.!?]*/g) ?? []).map((s) => s.trim()).filter(Boolean);
  if (sentences.length <= maxSentences) return sentences.join(' ');
  const freq = new Map<string, number>();
  for (const w of words(text)) freq.set(w, (freq.get(w) ?? 0) + 1);
  const scored = sentences.map((sentence, index) => {
    const ws = words(sentence);
    const score = ws.reduce((sum, w) => sum + (freq.get(w) ?? 0), 0) / Math.max(1, Math.sqrt(ws.length));
    return { sentence, index, score };
  });
  return scored
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, maxSentences)
    .sort((a, b) => a.index - b.index)
    .map((s) => s.sentence)
    .join(' ');
}

const classes: [string, string[]][] = [
  ['invoice', ['invoice', 'amount due', 'bill', 'billing', 'payable']],
  ['contract', ['contract', 'agreement', 'terms', 'party', 'parties']],
  ['fraud', ['fraud', 'suspicious', 'chargeback', 'stolen', 'unauthorized']],
  ['payment', ['payment', 'paid', 'refund', 'transfer', 'transaction']],
  ['complaint', ['complaint', 'unhappy', 'angry', 'disappointed', 'broken']],
  ['support', ['ticket', 'help', 'issue', 'problem', 'support']],
];

function classify(text: string): string {
  const lower = text.toLowerCase();
  let best = { name: 'other', hits: 0 };
  for (const [name, terms] of classes) {
    const hits = terms.reduce((n, term) => n + (lower.split(term).length - 1), 0);
    if (hits > best.hits) best = { name, hits };
  }
  return best.name;
}

function keywords(text: string, count: number): string[] {
  const freq = new Map<string, number>();
  for (const w of words(text)) freq.set(w, (freq.get(w) ?? 0) + 1);
  return [...freq]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, count)
    .map(([w]) => w);
}
