export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function ratio(a: number, b: number): number {
  return b > 0 ? Math.round((a / b) * 100) / 100 : Number.NaN;
}

// Ratio, median, sum and difference over figures that may be unknown (null: a process whose CPU could not be read).
export const ratioOrNull = (a: number | null, b: number | null) => (a === null || b === null ? null : ratio(a, b));
export const medianOrNull = (values: (number | null)[]) => {
  const known = values.filter((v): v is number => v !== null);
  return known.length > 0 ? median(known) : null;
};
export const sumOrNull = (values: (number | null)[]) =>
  values.some((v) => v === null) ? null : (values as number[]).reduce((a, b) => a + b, 0);
export const differenceOrNull = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

/** A plain-text table with right-aligned columns after the first. */
export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** One line of the bench's report on stdout. */
export const say = (line: string) => process.stdout.write(`${line}\n`);
