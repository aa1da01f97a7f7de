import type { FieldError } from '../types';

/** The `errors` of a 400 answer, one line each: the path of the bad field and what is wrong with it. */
export function FieldErrorList({ errors, root }: { errors: FieldError[]; root: string }) {
  if (errors.length === 0) return null;
  return (
    <ul className="field-errors">
      {errors.map((e) => (
        <li key={`${e.path}:${e.message}`}>
          <code>{e.path || root}</code>: {e.message}
        </li>
      ))}
    </ul>
  );
}
