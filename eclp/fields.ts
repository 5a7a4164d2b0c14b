// Translation helpers between our typed values and JD's wire shapes: comma-joined line columns on the
// way out (eclp-api.md §1.5), loosely typed result fields on the way back (SDKs disagree on string vs
// number vs one-element array, §3.9/§3.11), so every reader accepts all three.
import { malformed, isObject, type JsonObject } from './envelope';
import { EclpValidationError } from './errors';
import { encodeList, LineEncodingError } from './protocol';

/** JD's batch queries take at most this many numbers per call (queryPoOrder, order.ext.queryOrder). */
export const MAX_BATCH_NUMBERS = 100;

// ---- outgoing ----------------------------------------------------------------------------------

/**
 * One comma-joined column of line items. `field` is our name for the column (e.g. `isvGoodsNo`); a
 * value that would corrupt the list is refused with the 1-based line number.
 */
export function lineColumn(method: string, field: string, values: ReadonlyArray<string | number>, group = 'lines'): string {
  values.forEach((value, index) => {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new EclpValidationError(`${method} refused before sending: line ${index + 1} ${field} is not a finite number (${value})`, {
        method,
        field: `${group}.${field}`,
        line: index + 1,
      });
    }
  });
  try {
    return encodeList(field, values);
  } catch (error) {
    if (!(error instanceof LineEncodingError)) throw error;
    throw new EclpValidationError(
      `${method} refused before sending: line ${error.index + 1} ${field} contains a comma (${JSON.stringify(error.value)}), which JD's comma-joined line fields cannot carry`,
      { method, field: `${group}.${field}`, line: error.index + 1, cause: error },
    );
  }
}

/**
 * A comma-joined header list (document numbers of a batch query, barcodes): at least one value, at most
 * `max`, none empty, none with a comma.
 */
export function listField(method: string, field: string, numbers: ReadonlyArray<string>, max = MAX_BATCH_NUMBERS): string {
  if (numbers.length === 0) {
    throw new EclpValidationError(`${method} refused before sending: ${field} is empty`, { method, field });
  }
  if (numbers.length > max) {
    throw new EclpValidationError(`${method} refused before sending: ${field} has ${numbers.length} values, JD takes at most ${max} per call`, {
      method,
      field,
    });
  }
  numbers.forEach((number, index) => {
    if (number.trim() === '') {
      throw new EclpValidationError(`${method} refused before sending: ${field}[${index}] is empty`, { method, field });
    }
  });
  try {
    return encodeList(field, numbers);
  } catch (error) {
    if (!(error instanceof LineEncodingError)) throw error;
    throw new EclpValidationError(`${method} refused before sending: ${field}[${error.index}] contains a comma (${JSON.stringify(error.value)})`, {
      method,
      field,
      cause: error,
    });
  }
}

export interface GoodsReference {
  /** ECLP goods number (`EMG…`). */
  goodsNo?: string;
  /** The merchant's own goods code, as registered with transportGoodsInfo. */
  isvGoodsNo?: string;
}

/**
 * Lines name their goods by ECLP number or by merchant code. Both are parallel lists, so JD can only
 * read them when one of the two is complete: mixing would need empty slots JD does not document.
 */
export function goodsColumns(
  method: string,
  lines: ReadonlyArray<GoodsReference>,
  jdNames: { goodsNo: string; isvGoodsNo: string },
): Record<string, string> {
  if (lines.length === 0) {
    throw new EclpValidationError(`${method} refused before sending: the document has no lines`, { method, field: 'lines' });
  }
  const goodsNos = lines.map((line) => line.goodsNo);
  if (goodsNos.every(isPresent)) return { [jdNames.goodsNo]: lineColumn(method, 'goodsNo', goodsNos) };
  const isvGoodsNos = lines.map((line) => line.isvGoodsNo);
  if (isvGoodsNos.every(isPresent)) return { [jdNames.isvGoodsNo]: lineColumn(method, 'isvGoodsNo', isvGoodsNos) };
  const line = lines.findIndex((l) => !isPresent(l.goodsNo) && !isPresent(l.isvGoodsNo));
  throw new EclpValidationError(
    line >= 0
      ? `${method} refused before sending: line ${line + 1} names no goods (goodsNo or isvGoodsNo)`
      : `${method} refused before sending: either every line needs goodsNo or every line needs isvGoodsNo`,
    { method, field: 'lines.goodsNo', ...(line >= 0 && { line: line + 1 }) },
  );
}

function isPresent(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

/** Money to the fen, without float noise (0.1 + 0.2 → 0.3). Non-finite input passes through for validation to refuse. */
export function roundAmount(amount: number): number {
  return Number.isFinite(amount) ? Number(amount.toFixed(2)) : amount;
}

// ---- incoming ----------------------------------------------------------------------------------

/** A scalar as text; the Java SDK declares some scalars as arrays, so a one-element array counts. */
export function text(value: unknown): string | undefined {
  const scalar = Array.isArray(value) ? value[0] : value;
  if (typeof scalar === 'string') return scalar;
  if (typeof scalar === 'number' || typeof scalar === 'boolean') return String(scalar);
  return undefined;
}

/** A quantity or amount sent as string or number; absent or unreadable → undefined. */
export function numeric(value: unknown): number | undefined {
  const raw = text(value);
  if (raw === undefined || raw.trim() === '') return undefined;
  const number = Number(raw);
  return Number.isFinite(number) ? number : undefined;
}

export function objects(value: unknown): JsonObject[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

/** A list of strings, whether JD sends an array, nested arrays (Java `List<String[]>`) or a comma string. */
export function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => (Array.isArray(item) ? item : [item])).map(text).filter((s): s is string => s !== undefined);
  const single = text(value);
  return single === undefined || single === '' ? [] : single.split(',');
}

/** Copies the present fields only, so optional properties stay absent instead of `undefined`. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export interface ResultContext {
  method: string;
  reportedUrl: string;
}

/** The API's result field(s); missing means JD answered something we do not understand. */
export function requireObject(envelope: JsonObject, field: string, context: ResultContext): JsonObject {
  const value = envelope[field];
  if (!isObject(value)) throw malformed(`has no ${field} object`, context);
  return value;
}

export function requireText(source: JsonObject, field: string, context: ResultContext): string {
  const value = text(source[field]);
  if (value === undefined || value === '') throw malformed(`has no ${field}`, context);
  return value;
}
