import { useState } from 'react';
import { api, ApiError, messageOf, type FieldError } from '../api';
import { FieldErrorList } from './field-error-list';

const template = `{
  "name": "my-workflow",
  "description": "What this workflow does with each event",
  "input": { "type": "object" },
  "steps": [
    { "id": "shape", "type": "transform", "expression": "payload" }
  ],
  "output": "steps.shape.output"
}
`;

/**
 * A JSON workflow definition (DESIGN.md's format), saved with PUT /workflows/{name}. JSON syntax errors are shown
 * before sending; the server's validation errors (400 with `errors`) are listed under the editor.
 */
export function WorkflowEditor({ onSaved }: { onSaved: (name: string) => void }) {
  const [text, setText] = useState(template);
  const [error, setError] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);

  // Not a <form>: it sits inside the Create Webhook form, and forms do not nest.
  const save = async () => {
    setError(null);
    setErrors([]);
    let definition: unknown;
    try {
      definition = JSON.parse(text);
    } catch (err) {
      setError(`Not valid JSON: ${messageOf(err)}`);
      return;
    }
    const name = (definition as { name?: unknown } | null)?.name;
    if (typeof definition !== 'object' || definition === null || Array.isArray(definition) || typeof name !== 'string' || name === '') {
      setError('The definition must be a JSON object with a "name".');
      setErrors([{ path: 'name', message: 'is required' }]);
      return;
    }
    setBusy(true);
    try {
      await api.putWorkflow(name, definition);
      onSaved(name);
    } catch (err) {
      const fields = err instanceof ApiError ? err.errors : [];
      // The detail repeats the field errors in one line; with a list below, a short heading reads better.
      if (fields.length > 0) setError('The server refused this definition:');
      else
        setError(
          err instanceof ApiError && err.status === 404 && err.code === 'not_found'
            ? 'This server cannot store workflows (PUT /workflows answered 404).'
            : messageOf(err),
        );
      setErrors(fields);
    } finally {
      setBusy(false);
    }
  };

  const invalid = error !== null;
  return (
    <fieldset className="workflow-editor">
      <legend>New workflow</legend>
      <label htmlFor="workflow-definition">Workflow definition (JSON)</label>
      <textarea
        id="workflow-definition"
        className="code"
        rows={12}
        spellCheck={false}
        value={text}
        onChange={(event) => setText(event.target.value)}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? 'workflow-errors' : 'workflow-editor-help'}
      />
      <p id="workflow-editor-help" className="muted">
        Steps run in order: <code>http</code>, <code>transform</code>, <code>llm</code>, <code>store</code>, <code>notify</code>,{' '}
        <code>fail</code>. Expressions are JSONata over <code>payload</code>, <code>headers</code> and <code>steps.&lt;id&gt;.output</code>.
      </p>
      {invalid && (
        <div id="workflow-errors" className="field-error" role="alert">
          <p>{error}</p>
          <FieldErrorList errors={errors} root="(definition)" />
        </div>
      )}
      <button type="button" onClick={() => void save()} disabled={busy}>
        Save workflow
      </button>
    </fieldset>
  );
}
