// The fingerprint of a document's creation body: documents are created idempotently on their number,
// and a repeat is told from a different body by this hash alone (stored as `body_hash`).
import { createHash } from 'node:crypto';

/** Key order does not matter, values do: `{a,b}` and `{b,a}` are the same body. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function bodyHash(body: object): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}
