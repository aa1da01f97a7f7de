import { messageOf } from '../api';

export type ParsedJson = { ok: true; value: unknown } | { ok: false; message: string };

/** What a JSON text field holds: its value, or the reason it is not JSON, for inline display (never sent). */
export function parseJson(text: string): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, message: `Not valid JSON: ${messageOf(err)}` };
  }
}
