import Table from 'cli-table3';

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

/** A cell's text: `-` for nothing, compact JSON for objects. */
export function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// Borderless, uncoloured columns (like kubectl): readable in a terminal and still easy to grep.
const plain = {
  chars: {
    top: '',
    'top-mid': '',
    'top-left': '',
    'top-right': '',
    bottom: '',
    'bottom-mid': '',
    'bottom-left': '',
    'bottom-right': '',
    left: '',
    'left-mid': '',
    mid: '',
    'mid-mid': '',
    right: '',
    'right-mid': '',
    middle: '  ',
  },
  style: { 'padding-left': 0, 'padding-right': 0, head: [] as string[], border: [] as string[] },
};

export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const table = new Table({ ...plain, head: columns.map((c) => c.header.toUpperCase()) });
  for (const row of rows) table.push(columns.map((c) => cell(c.value(row))));
  return table.toString().replace(/[ \t]+$/gm, '');
}

/** One record as `FIELD  value` lines. */
export function renderRecord(fields: readonly (readonly [string, unknown])[]): string {
  const table = new Table(plain);
  for (const [label, value] of fields) table.push([label, cell(value)]);
  return table.toString().replace(/[ \t]+$/gm, '');
}

/** Where a command's answer goes: JSON for machines (`--json`), a table or record for people. */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly write: (text: string) => void = (text) => process.stdout.write(text),
  ) {}

  /** Prints `data` as JSON, or `human()` (a rendered table) for people. */
  emit(data: unknown, human: () => string): void {
    this.write(this.json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
  }
}
