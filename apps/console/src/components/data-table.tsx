import type { ReactNode } from 'react';

/** A table that scrolls sideways inside its frame on narrow screens, with a caption for screen readers. */
export function DataTable({
  caption,
  columns,
  className,
  children,
}: {
  caption: string;
  columns: string[];
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className={className}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
