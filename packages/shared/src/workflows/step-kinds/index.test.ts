import { fileURLToPath } from 'node:url';
import { basename } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { stepSchema } from '../definition-schema.js';
import { runStepKind, stepKindList, stepKinds } from './index.js';
import { recordingTools, taggingRender } from './testing.js';

/** A minimal valid step of each kind. */
const examples = {
  http: { url: 'https://x.test' },
  transform: { expression: '1' },
  llm: { prompt: 'hi' },
  store: { collection: 'c', key: 'k', set: {} },
  notify: { url: 'https://x.test', payload: null },
  fail: { code: 'stop', message: 'stop' },
  wait: { signal: 'approval', timeoutMs: 1_000 },
} satisfies Record<keyof typeof stepKinds, object>;

describe('the step-kind table', () => {
  it('lists each kind under its own type, with a one-line description', () => {
    for (const [name, kind] of Object.entries(stepKinds)) {
      expect(kind.type).toBe(name);
      expect(kind.description).toMatch(/^[^\n]{10,200}$/);
    }
    expect(stepKindList.map((kind) => kind.type)).toEqual(Object.keys(examples));
  });

  it('is what the definition schema accepts: each kind by its own schema, an unknown type at its path', () => {
    for (const [type, fields] of Object.entries(examples)) {
      expect(stepSchema.safeParse({ id: 's', type, ...fields }).success).toBe(true);
      // The fields of one kind are not a step of another.
      const other = type === 'http' ? 'fail' : 'http';
      expect(stepSchema.safeParse({ id: 's', type: other, ...fields }).success).toBe(false);
    }
    expect(stepSchema.safeParse({ id: 's', type: 'sleep' }).error?.issues.map((i) => i.path.join('.'))).toEqual(['type']);
  });

  it('runs a step by its kind, rendering only when the call resolves its options', async () => {
    for (const [type, fields] of Object.entries(examples)) {
      const step = stepSchema.parse({ id: 's', type, ...fields });
      const render = taggingRender();
      const finished = recordingTools({ resolve: false });
      await runStepKind(step, render, finished.tools, {});
      expect(finished.calls.map((call) => call.tool)).toEqual([type === 'transform' ? 'step' : type]);
      expect(render.count()).toBe(0);
    }
  });

  it('fails the type check when a kind is missing from a table', () => {
    const configPath = fileURLToPath(new URL('./type-fixtures/tsconfig.json', import.meta.url));
    const config = ts.getParsedCommandLineOfConfigFile(configPath, undefined, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => expect.fail(String(d.messageText)),
    })!;
    const program = ts.createProgram(config.fileNames, config.options);
    // Only the fixture is checked: the modules it imports are checked by the main type check, and checking them too
    // would make this test slow.
    const fixture = program.getSourceFile(config.fileNames[0]!)!;
    const diagnostics = [
      ...program.getOptionsDiagnostics(),
      ...program.getSyntacticDiagnostics(fixture),
      ...program.getSemanticDiagnostics(fixture),
    ].map((d) => ({
      file: d.file ? basename(d.file.fileName) : null,
      code: d.code,
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    }));
    expect(diagnostics).toEqual([{ file: 'missing-kind.ts', code: 1360, message: expect.stringContaining("Property 'fail' is missing") }]);
  });
});
