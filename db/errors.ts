// PostgreSQL's verdicts on the data itself (SQLSTATE class 22 data exception, class 23 integrity
// constraint violation), read so that neither the API nor an activity repeats them as outages, and so
// that what is logged or recorded about them never carries the data. The server's `detail` and `where`
// quote the row or the value (`Key (k)=(…) already exists`, `JSON data, line 1: {"name":"…`), and so does
// the message of some errors (`invalid input syntax for type integer: "…"`): only the SQLSTATE and schema
// names (table, column, constraint, type) are safe to show.

export interface DatabaseDataError {
  /** `data`: class 22, the value itself; `integrity`: class 23, the value against other rows or constraints. */
  kind: 'data' | 'integrity';
  sqlState: string;
  /** What went wrong in an operator's words, without any value. */
  description: string;
  table?: string;
  column?: string;
  constraint?: string;
  dataType?: string;
}

const DATA_OR_INTEGRITY = /^2[23][0-9A-Z]{3}$/;

/** The common ones (PostgreSQL manual, appendix A), in words that point at the cause. */
const DESCRIPTIONS: Record<string, string> = {
  '22001': 'a text value is longer than its column allows',
  '22003': 'a number is out of range for its column',
  '22007': 'a date or time value is malformed',
  '22008': 'a date or time value is out of range',
  '22012': 'a calculation divided by zero',
  '22021': 'a text value contains a character the database encoding cannot hold (a NUL character?)',
  '22023': 'a value is not valid for its parameter',
  '22P02': 'a value is not valid for its column type (malformed JSON, an unpaired surrogate, a number that is not one?)',
  '22P05': 'a JSON value contains \\u0000, which the database cannot store',
  '23502': 'a required value is missing (NOT NULL)',
  '23503': 'the row refers to a row that does not exist, or is still referred to (foreign key)',
  '23505': 'a row with the same key already exists',
  '23514': 'a value breaks a CHECK constraint',
  '23P01': 'the row conflicts with another (exclusion constraint)',
};

function schemaName(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The data error behind `err` (looking through `cause` chains), or undefined when `err` is no such
 * error. Only ever copies the SQLSTATE and schema names out of it.
 */
export function databaseDataError(err: unknown, depth = 0): DatabaseDataError | undefined {
  if (depth > 4 || typeof err !== 'object' || err === null) return undefined;
  const e = err as Record<string, unknown>;
  if (typeof e.code === 'string' && DATA_OR_INTEGRITY.test(e.code)) {
    const kind = e.code.startsWith('22') ? 'data' : 'integrity';
    const found: DatabaseDataError = {
      kind,
      sqlState: e.code,
      description: DESCRIPTIONS[e.code] ?? (kind === 'data' ? 'the database refused a value as invalid' : 'the write breaks an integrity constraint'),
    };
    for (const key of ['table', 'column', 'constraint', 'dataType'] as const) {
      const name = schemaName(e[key]);
      if (name !== undefined) found[key] = name;
    }
    return found;
  }
  return databaseDataError(e.cause, depth + 1);
}

/** One line for a log or a failure message: the description, SQLSTATE and where, never a value. */
export function describeDatabaseDataError(error: DatabaseDataError): string {
  const where = [
    error.table && `table ${error.table}`,
    error.column && `column ${error.column}`,
    error.constraint && `constraint ${error.constraint}`,
  ].filter(Boolean);
  return `${error.description} (SQLSTATE ${error.sqlState}${where.length > 0 ? `, ${where.join(', ')}` : ''})`;
}

/**
 * What of any database error may be logged: the SQLSTATE and schema names. Undefined for an error that
 * carries no SQLSTATE (then it came from elsewhere, and its message holds no SQL).
 */
export function loggableDatabaseError(err: unknown): Record<string, string> | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as Record<string, unknown>;
  if (typeof e.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code) || typeof e.severity !== 'string') return undefined;
  const fields: Record<string, string> = { sqlState: e.code };
  for (const key of ['table', 'column', 'constraint', 'dataType', 'routine'] as const) {
    const name = schemaName(e[key]);
    if (name !== undefined) fields[key] = name;
  }
  return fields;
}
