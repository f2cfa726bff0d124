// A table in its scrolling wrapper, with a header row of column names; the rows are the caller's (each names itself
// with a <th scope="row">). The caption, when given, names the table for screen readers only.
import type { ReactNode } from 'react';

interface Props {
  columns: ReactNode[];
  caption?: string;
  children: ReactNode;
}

export function DataTable({ columns, caption, children }: Props) {
  return (
    <div className="table-wrap">
      <table>
        {caption && <caption className="visually-hidden">{caption}</caption>}
        <thead>
          <tr>
            {columns.map((column, index) => (
              <th key={index} scope="col">
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
