// Reading the business fields of 360buy_param_json the way JD does: values may arrive as JSON strings or
// numbers (the .NET SDK quotes everything, the Java SDK does not; eclp-api.md §1.5), an empty string counts
// as absent, and line items are parallel comma-joined lists zipped by index.
import { decodeList } from '../eclp/protocol';
import { BusinessError } from './errors';

export type RawParams = Readonly<Record<string, unknown>>;

export class BusinessParams {
  constructor(private readonly raw: RawParams) {}

  /** The field as text, or undefined when absent or empty. */
  optional(field: string, maxLength?: number): string | undefined {
    const value = this.raw[field];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw BusinessError.invalid(field, '应为字符串或数字', 'expected a string or a number');
    }
    const text = String(value);
    if (maxLength !== undefined && text.length > maxLength) {
      throw BusinessError.invalid(field, `长度不能超过${maxLength}`, `longer than ${maxLength} characters`);
    }
    return text;
  }

  required(field: string, maxLength?: number): string {
    const text = this.optional(field, maxLength);
    if (text === undefined) throw BusinessError.missing(field);
    return text;
  }

  /** A whole number ≥ min; `fallback` when absent. */
  integer(field: string, options: { min?: number; fallback: number }): number;
  integer(field: string, options: { min?: number; fallback?: undefined }): number | undefined;
  integer(field: string, options: { min?: number; fallback?: number }): number | undefined {
    const text = this.optional(field);
    if (text === undefined) return options.fallback;
    return parseWholeNumber(field, text, options.min ?? 0);
  }

  requiredInteger(field: string, min = 0): number {
    const value = this.integer(field, { min });
    if (value === undefined) throw BusinessError.missing(field);
    return value;
  }

  /** A comma-joined list of numbers (e.g. up to 100 order numbers), duplicates removed, order kept. */
  numberList(field: string, max: number): string[] {
    const values = [...new Set(decodeList(this.required(field)).map((v) => v.trim()).filter((v) => v !== ''))];
    if (values.length === 0) throw BusinessError.missing(field);
    if (values.length > max) {
      throw BusinessError.invalid(field, `单次最多查询${max}个单号`, `at most ${max} numbers per call`);
    }
    return values;
  }

  /**
   * Zips the parallel line lists named in `fields` into one record per line. Lists that are absent stay
   * undefined in every line; lists that are present must all have the same length, else the lines would be
   * mixed up, which JD refuses.
   */
  lines<F extends string>(fields: readonly F[]): Array<Record<F, string | undefined>> {
    const columns = fields
      .map((field) => ({ field, values: decodeList(this.optional(field)) }))
      .filter((column) => column.values.length > 0);
    const first = columns[0];
    if (!first) return [];
    for (const column of columns) {
      if (column.values.length !== first.values.length) {
        throw BusinessError.invalid(
          column.field,
          `明细行数(${column.values.length})与${first.field}的行数(${first.values.length})不一致`,
          `${column.values.length} line values, but ${first.field} has ${first.values.length}`,
        );
      }
    }
    return first.values.map((_, index) => {
      const line = {} as Record<F, string | undefined>;
      for (const field of fields) {
        const column = columns.find((c) => c.field === field);
        const value = column?.values[index]?.trim();
        line[field] = value === '' ? undefined : value;
      }
      return line;
    });
  }
}

/** Parses a whole number ≥ min; anything else (decimals, signs, letters) is a 61 naming the field. */
export function parseWholeNumber(field: string, text: string, min: number): number {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) throw BusinessError.invalid(field, `"${trimmed}"不是整数`, `"${trimmed}" is not a whole number`);
  const value = Number(trimmed);
  if (!Number.isSafeInteger(value)) throw BusinessError.invalid(field, '数值过大', 'number too large');
  if (value < min) throw BusinessError.invalid(field, `不能小于${min}`, `must be at least ${min}`);
  return value;
}

/** A line quantity: a whole number > 0; `index` is the 1-based line for the message. */
export function parseQuantity(field: string, text: string | undefined, index: number): number {
  if (text === undefined) throw BusinessError.invalid(field, `第${index}行数量为空`, `line ${index} has no quantity`);
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) {
    throw BusinessError.invalid(field, `第${index}行数量"${trimmed}"必须为正整数`, `line ${index} quantity "${trimmed}" is not a positive whole number`);
  }
  const value = Number(trimmed);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw BusinessError.invalid(field, `第${index}行数量必须大于0`, `line ${index} quantity must be greater than 0`);
  }
  return value;
}

/** A non-negative decimal such as a unit price. */
export function parseAmount(field: string, text: string | undefined, index: number): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed)) {
    throw BusinessError.invalid(field, `第${index}行金额"${trimmed}"不是合法数字`, `line ${index} amount "${trimmed}" is not a valid number`);
  }
  return Number(trimmed);
}

export interface Page<T> {
  rows: T[];
  total: number;
  pageNo: number;
  pageSize: number;
}

/** One page of `items`; pages start at 1 as in every paged ECLP query (eclp-api.md §3.13, §3.14). */
export function paginate<T>(items: readonly T[], pageNo: number, pageSize: number): Page<T> {
  const start = (pageNo - 1) * pageSize;
  return { rows: items.slice(start, start + pageSize), total: items.length, pageNo, pageSize };
}
