const quote = 0x22;
const backslash = 0x5c;
const openBracket = 0x5b;
const openBrace = 0x7b;
const closeBracket = 0x5d;
const closeBrace = 0x7d;

/**
 * True when the JSON text `bytes` nests arrays and objects deeper than `maxDepth`. A scan of the bytes, no parse:
 * brackets inside strings do not count. What it says of text that is not JSON does not matter (the parser refuses it).
 *
 * Cheap for the common case: a body with at most `maxDepth` opening brackets cannot be too deep, and counting them is
 * a few native `indexOf` calls; only a body with more brackets than that is walked byte by byte.
 */
export function jsonDepthExceeds(bytes: Uint8Array, maxDepth: number): boolean {
  if (countUpTo(bytes, openBracket, maxDepth + 1) + countUpTo(bytes, openBrace, maxDepth + 1) <= maxDepth) return false;
  let depth = 0;
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    if (c === quote) {
      for (i++; i < n; i++) {
        const d = bytes[i];
        if (d === quote) break;
        if (d === backslash) i++;
      }
    } else if (c === openBracket || c === openBrace) {
      if (++depth > maxDepth) return true;
    } else if (c === closeBracket || c === closeBrace) {
      depth--;
    }
  }
  return false;
}

/** How often `byte` occurs in `bytes`, counting no further than `cap`. */
function countUpTo(bytes: Uint8Array, byte: number, cap: number): number {
  let count = 0;
  for (let i = bytes.indexOf(byte); i !== -1 && count < cap; i = bytes.indexOf(byte, i + 1)) count++;
  return count;
}

/**
 * Deepest nesting of stored JSON the admin API shows. JSON.stringify runs out of stack a few thousand levels down, so
 * a record nested much deeper would turn every read of it into a 500; reads show such a field empty instead.
 */
export const presentableJsonDepth = 1_000;

/** True when `text` is JSON that the admin API can serialise again (nested at most `presentableJsonDepth` levels). */
export function isPresentableJson(text: string): boolean {
  if (jsonDepthExceeds(Buffer.from(text, 'utf8'), presentableJsonDepth)) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
