/**
 * The `{{ expr }}` template syntax of workflow definitions (DESIGN.md): a string that is one whole `{{ expr }}` keeps
 * the expression's value and type; any other string with `{{ }}` parts interpolates them as text; a string without
 * braces is a literal. Parsing is shared by the definition validator (ingress) and the evaluator (worker).
 */
export type TemplatePart = { kind: 'text'; text: string } | { kind: 'expr'; source: string };

export type ParsedTemplate =
  { kind: 'literal'; value: string } | { kind: 'value'; source: string } | { kind: 'interpolate'; parts: TemplatePart[] };

const wholeExpression = /^\s*\{\{([\s\S]*?)\}\}\s*$/;
const anyExpression = /\{\{([\s\S]*?)\}\}/g;

export function parseTemplate(template: string): ParsedTemplate {
  const whole = wholeExpression.exec(template);
  // A whole-string template must not contain a second `{{`, or `{{ a }} and {{ b }}` would parse as one expression.
  if (whole && !whole[1]!.includes('{{') && !whole[1]!.includes('}}')) return { kind: 'value', source: whole[1]!.trim() };
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of template.matchAll(anyExpression)) {
    if (match.index > last) parts.push({ kind: 'text', text: template.slice(last, match.index) });
    parts.push({ kind: 'expr', source: match[1]!.trim() });
    last = match.index + match[0].length;
  }
  if (parts.length === 0) return { kind: 'literal', value: template };
  if (last < template.length) parts.push({ kind: 'text', text: template.slice(last) });
  return { kind: 'interpolate', parts };
}

/** Every expression source inside a template string (for validation). */
export function templateExpressions(template: string): string[] {
  const parsed = parseTemplate(template);
  if (parsed.kind === 'value') return [parsed.source];
  if (parsed.kind === 'literal') return [];
  return parsed.parts.flatMap((part) => (part.kind === 'expr' ? [part.source] : []));
}
