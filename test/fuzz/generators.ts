// Invalid request inputs derived from a route's own zod schemas, so a new route is fuzzed without new
// test code. Schemas are read through `z.toJSONSchema` — a documented format that survives zod
// upgrades, unlike `_zod.def` — and every generated input is re-checked with the zod schema itself
// before it is sent, because JSON Schema cannot express refinements (unique SKUs, two-decimal prices),
// trimming or query coercion.
import querystring from 'node:querystring';
import fc from 'fast-check';
import { z } from 'zod';
import type { FieldError } from '../../api/problem';
import { fieldErrors } from '../../api/route';

export type Location = 'path' | 'query' | 'body';
type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'object' | 'array';

export interface JsonSchema {
  type?: JsonType | JsonType[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
}

export type MutationKind =
  | 'wrong-type'
  | 'missing-required'
  | 'unknown-field'
  | 'too-short'
  | 'blank'
  | 'too-long'
  | 'pattern'
  | 'not-in-enum'
  | 'below-minimum'
  | 'above-maximum'
  | 'fractional'
  | 'too-few-items'
  | 'too-many-items'
  | 'duplicate-item'
  | 'unstorable-text'
  | 'no-body';

/** One invalid value and where the damage is, relative to the node it was derived for. */
export interface Mutated {
  value: unknown;
  kind: MutationKind;
  at: Array<string | number>;
}

type Weighted = fc.WeightedArbitrary<Mutated>;
type AddMutation = (kind: MutationKind, arb: fc.Arbitrary<unknown> | undefined) => void;

/** "Send no body at all", distinct from a JSON `null` body. */
export const NO_BODY: unique symbol = Symbol('no body');

/**
 * Strings that have broken other systems: SQL and template injection, path traversal, NUL and other
 * control characters, emoji (astral and ZWJ sequences), right-to-left overrides, Arabic and Hebrew,
 * combining marks, BOM, full-width digits, JD's list separator, and values that look like other types.
 */
export const NASTY_STRINGS: readonly string[] = [
  "'; DROP TABLE goods; --",
  "1' OR '1'='1",
  "Robert'); DROP TABLE sales_orders;--",
  '" OR ""="',
  '%',
  '_',
  '\\',
  '$1',
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '\u0000',
  'SKU\u0000-1',
  '\u0007\u001b[31m',
  '📦🚚',
  '👨‍👩‍👧‍👦',
  '\u202Eevil\u202C',
  'مرحبا بالعالم',
  'שלום',
  '京东仓海',
  'ｓｋｕ１２３',
  'e\u0301',
  '\u200B',
  '\uFEFFSKU',
  '\r\n',
  ' SKU ',
  'null',
  'NaN',
  'true',
  '-1',
  '1e400',
  '[]',
  '{}',
  'SKU-1,SKU-2',
  '__proto__',
];
/** Lone surrogates are legal in JSON strings but cannot be percent-encoded, so only bodies get them. */
const BODY_ONLY_STRINGS = ['\uD800', 'a\uDFFFb'];

/**
 * Characters no text field may hold (issue 9 §1, domain/text.ts): NUL, C0 controls and DEL, a C1
 * control, bidirectional embeddings, overrides and isolates — and, in bodies only, unpaired surrogates.
 * Each is put inside an otherwise plausible value, so only the character can be what is refused.
 */
export const UNSTORABLE_CHARACTERS: readonly string[] = ['\u0000', '\u0001', '\u0007', '\t', '\u001b', '\u001f', '\u007f', '\u0085', '\u202A', '\u202D', '\u202E', '\u2066', '\u2069'];
export const UNSTORABLE_BODY_ONLY: readonly string[] = ['\uD800', '\uDBFF', '\uDC00', '\uDFFF'];

/** The characters of `UNSTORABLE_CHARACTERS` a request can carry at `location`. */
export function unstorableCharacters(location: Location): readonly string[] {
  return location === 'body' ? [...UNSTORABLE_CHARACTERS, ...UNSTORABLE_BODY_ONLY] : UNSTORABLE_CHARACTERS;
}

/** `value` with `character` strictly inside it, so trimming cannot remove it. */
export function withCharacterInside(value: string, character: string, at = 1): string {
  if (value.length < 2) return `${value || 'x'}${character}x`;
  const i = Math.min(Math.max(at, 1), value.length - 1);
  return `${value.slice(0, i)}${character}${value.slice(i)}`;
}

/** Field names an attacker or a sloppy client might send: prototype keys, SQL, case and spacing variants. */
const UNKNOWN_KEYS = ['__proto__', 'constructor', "'; DROP TABLE goods; --", '$where', '📦', '', 'extra', 'id', 'createdAt'];

/** Values of each JSON type, used where a node expects another type. */
const TYPE_SAMPLES: ReadonlyArray<unknown> = [null, true, false, 0, -1, 1.5, '', '1', "'; DROP TABLE goods; --", [], ['x'], {}, { $gt: '' }];

/** Keeps generated bases small; the mutations, not the bases, are what should be big. */
const SMALL = 12;
const MAX_DEPTH = 12;

function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

function typeAllowed(value: unknown, types: ReadonlySet<JsonType>): boolean {
  const t = jsonTypeOf(value);
  return types.has(t) || (t === 'integer' && types.has('number'));
}

/** Sets `key` as an own property even for `__proto__`, which plain assignment would turn into a prototype change. */
export function withKey<T extends object>(obj: T, key: string, value: unknown): T {
  const copy = { ...obj };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

function without<T extends object>(obj: T, key: string): T {
  const copy = { ...obj } as Record<string, unknown>;
  delete copy[key];
  return copy as T;
}

/**
 * An empty segment, `.` or `..` never reaches the route: URL parsers drop dot segments, even
 * percent-encoded ones (WHATWG URL treats `%2E` as a dot).
 */
function reachesRoute(segment: string): boolean {
  return segment.length > 0 && segment !== '.' && segment !== '..';
}

function compileRegex(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    try {
      return new RegExp(pattern);
    } catch {
      return undefined;
    }
  }
}

/** Derives valid and invalid values for one part of a request (path parameters, query or body). */
class Deriver {
  constructor(
    private readonly root: JsonSchema,
    readonly location: Location,
    /** Values that exist in the database, per top-level field, mixed into the valid values. */
    private readonly known: Record<string, readonly string[]> = {},
  ) {}

  resolve(node: JsonSchema, seen = 0): JsonSchema {
    if (!node.$ref || seen > MAX_DEPTH) return node;
    const name = node.$ref.startsWith('#/$defs/') ? decodeURIComponent(node.$ref.slice('#/$defs/'.length)) : undefined;
    const target = node.$ref === '#' ? this.root : name !== undefined ? this.root.$defs?.[name] : undefined;
    if (!target) throw new Error(`Unresolvable $ref ${node.$ref} in a route schema`);
    return this.resolve(target, seen + 1);
  }

  typesOf(node: JsonSchema): Set<JsonType> | undefined {
    const n = this.resolve(node);
    if (n.type) return new Set(Array.isArray(n.type) ? n.type : [n.type]);
    if (n.const !== undefined) return new Set([jsonTypeOf(n.const)]);
    if (n.enum) return new Set(n.enum.map(jsonTypeOf));
    const branches = n.anyOf ?? n.oneOf;
    if (branches) {
      const all = new Set<JsonType>();
      for (const b of branches) {
        const t = this.typesOf(b);
        if (!t) return undefined;
        t.forEach((x) => all.add(x));
      }
      return all;
    }
    if (n.properties) return new Set(['object']);
    if (n.items) return new Set(['array']);
    return undefined; // anything goes
  }

  /** Query and path values reach zod as strings; numbers and booleans are written the way a client would. */
  private render(value: unknown): unknown {
    if (this.location === 'body' || value === null || typeof value === 'object') return value;
    return String(value);
  }

  private stringUnits(): fc.Arbitrary<string> {
    return fc.constantFrom(...'abcxyzABC012789京东仓海商品北京上海');
  }

  nastyString(): fc.Arbitrary<string> {
    const pool = this.location === 'body' ? [...NASTY_STRINGS, ...BODY_ONLY_STRINGS] : NASTY_STRINGS;
    const arb = fc.oneof(
      fc.constantFrom(...pool),
      fc.string({ unit: 'binary', minLength: 1, maxLength: SMALL }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: SMALL }),
      fc.tuple(fc.constantFrom(...pool), fc.constantFrom(...pool)).map(([a, b]) => a + b),
    );
    return this.location === 'path' ? arb.filter(reachesRoute) : arb;
  }

  valid(node: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
    const n = this.resolve(node);
    if (depth > MAX_DEPTH) return fc.constant(this.render('x'));
    if (n.const !== undefined) return fc.constant(this.render(n.const));
    if (n.enum?.length) return fc.constantFrom(...n.enum.map((v) => this.render(v)));
    const branches = n.anyOf ?? n.oneOf;
    if (branches?.length) return fc.oneof(...branches.map((b) => this.valid(b, depth + 1)));
    if (n.allOf?.[0]) return this.valid(n.allOf[0], depth + 1);
    const types = this.typesOf(n);
    const type = types ? [...types].find((t) => t !== 'null') ?? 'null' : undefined;
    switch (type) {
      case 'object': {
        const props = n.properties ?? {};
        const shape = Object.fromEntries(
          Object.entries(props).map(([k, p]) => {
            const known = depth === 0 ? this.known[k] ?? [] : [];
            return [k, known.length > 0 ? fc.oneof(fc.constantFrom(...known), this.valid(p, depth + 1)) : this.valid(p, depth + 1)];
          }),
        );
        return fc.record(shape, { requiredKeys: (n.required ?? []).filter((k) => k in props), noNullPrototype: true });
      }
      case 'array': {
        const min = n.minItems ?? 0;
        const max = Math.min(n.maxItems ?? min + 3, min + 3);
        // Unique by value, because most of our arrays refuse repeats (barcodes, SKUs, lines).
        return fc.uniqueArray(this.valid(n.items ?? {}, depth + 1), { minLength: min, maxLength: max, selector: (v) => JSON.stringify(v) });
      }
      case 'string':
        return this.validString(n);
      case 'integer': {
        const [lo, hi] = this.bounds(n, true);
        return fc.integer({ min: lo, max: hi }).map((v) => this.render(v));
      }
      case 'number': {
        // Two decimals at most: prices are refined to fen.
        const [lo, hi] = this.bounds(n, false);
        return fc.integer({ min: Math.ceil(lo * 100), max: Math.floor(hi * 100) }).map((v) => this.render(v / 100));
      }
      case 'boolean':
        return fc.boolean().map((v) => this.render(v));
      case 'null':
        return fc.constant(null);
      default:
        return fc.constant(this.render('x'));
    }
  }

  private bounds(n: JsonSchema, integer: boolean): [number, number] {
    const step = integer ? 1 : 0.01;
    let lo = n.minimum ?? (n.exclusiveMinimum !== undefined ? n.exclusiveMinimum + step : -1000);
    let hi = n.maximum ?? (n.exclusiveMaximum !== undefined ? n.exclusiveMaximum - step : lo + 1000);
    lo = Math.max(lo, -1e6);
    hi = Math.min(hi, lo + 1e6);
    return integer ? [Math.ceil(lo), Math.floor(hi)] : [lo, hi];
  }

  private validString(n: JsonSchema): fc.Arbitrary<string> {
    const min = Math.max(n.minLength ?? 0, this.location === 'path' ? 1 : 0);
    const max = n.maxLength ?? Number.POSITIVE_INFINITY;
    const regex = n.pattern ? compileRegex(n.pattern) : undefined;
    let arb: fc.Arbitrary<string>;
    try {
      const length = Math.max(min, 1);
      arb = regex ? fc.stringMatching(regex) : fc.string({ unit: this.stringUnits(), minLength: length, maxLength: Math.min(max, length + SMALL) });
    } catch {
      arb = fc.constant('x');
    }
    // A base only needs to be plausible: the mutation makes the input invalid, zod has the last word.
    const fits = (s: string) => s.length >= min && s.length <= max && (this.location !== 'path' || reachesRoute(s));
    // A pattern that contradicts the length limits would make the filter below spin forever.
    if (!fc.sample(arb, { numRuns: 20, seed: 0 }).some(fits)) return fc.constant('x'.repeat(Math.max(min, 1)));
    return arb.filter(fits);
  }

  /**
   * Every way found to make a value at this node invalid; undefined when the node accepts anything.
   * Weighted by the number of ways below each choice, so a field deep in a line item is damaged about as
   * often as a top-level one.
   */
  invalid(node: JsonSchema, depth = 0): Weighted | undefined {
    const n = this.resolve(node);
    if (depth > MAX_DEPTH) return undefined;
    const candidates: Weighted[] = [];
    const add = (kind: MutationKind, arb: fc.Arbitrary<unknown> | undefined) => {
      if (arb) candidates.push({ weight: 1, arbitrary: arb.map((value) => ({ value: this.render(value), kind, at: [] })) });
    };
    const types = this.typesOf(n);

    // The query as a whole is always an object of strings: only its parameters can have a wrong type.
    if (depth > 0 || this.location === 'body') add('wrong-type', this.wrongType(types));
    for (const branch of n.anyOf ?? n.oneOf ?? []) {
      // A value bad for one branch may suit another; the final zod check sorts that out.
      const bad = this.invalid(branch, depth + 1);
      if (bad) candidates.push({ weight: bad.weight, arbitrary: bad.arbitrary.filter((m) => m.kind !== 'wrong-type' || !typeAllowed(m.value, types ?? new Set())) });
    }
    if (n.enum || n.const !== undefined) {
      const allowed = new Set((n.enum ?? [n.const]).map((v) => JSON.stringify(this.render(v))));
      add('not-in-enum', this.nastyString().filter((s) => !allowed.has(JSON.stringify(s))));
    }

    const type = types && [...types].find((t) => t !== 'null');
    if (type === 'string') this.stringMutations(n, add);
    if (type === 'integer' || type === 'number') this.numberMutations(n, type === 'integer', add);
    if (type === 'array' && this.location === 'body') this.arrayMutations(n, depth, add, candidates);
    if (type === 'object') this.objectMutations(n, depth, candidates);
    if (candidates.length === 0) return undefined;
    return { weight: candidates.reduce((sum, c) => sum + c.weight, 0), arbitrary: fc.oneof(...candidates) };
  }

  private wrongType(types: Set<JsonType> | undefined): fc.Arbitrary<unknown> | undefined {
    if (!types) return undefined;
    // Path segments are always strings; a query parameter can only become a list (`?a=1&a=2`).
    if (this.location === 'path') return undefined;
    if (this.location === 'query') return types.has('array') ? undefined : fc.constantFrom(['1', '2'], ['', ''], ["'; DROP TABLE goods; --", 'x']);
    const others = TYPE_SAMPLES.filter((v) => !typeAllowed(v, types));
    return others.length > 0 ? fc.constantFrom(...others) : undefined;
  }

  private stringMutations(n: JsonSchema, add: AddMutation): void {
    // Every string, free text or code: the database must never be handed one of these.
    add(
      'unstorable-text',
      fc.tuple(this.validString(n), fc.constantFrom(...unstorableCharacters(this.location)), fc.nat()).map(([value, c, at]) => withCharacterInside(value, c, 1 + (at % Math.max(1, value.length - 1)))),
    );
    const min = n.minLength ?? 0;
    if (min >= 1 && this.location !== 'path') add('too-short', fc.constantFrom('', 'x'.repeat(min - 1)));
    add('blank', fc.constantFrom(' ', '\t\n', '\u3000'));
    if (n.maxLength !== undefined) add('too-long', this.tooLong(n.maxLength));
    const regex = n.pattern ? compileRegex(n.pattern) : undefined;
    // Only when some nasty string breaks the pattern; otherwise the filter would never let one through.
    if (regex && NASTY_STRINGS.some((s) => !regex.test(s))) add('pattern', this.nastyString().filter((s) => !regex.test(s)));
  }

  /** Longer than allowed; in bodies sometimes far longer (tens of thousands of characters, still under the body limit). */
  private tooLong(max: number): fc.Arbitrary<string> {
    // URLs are kept short enough for Node's 16 KB header limit, or Node itself answers before Express.
    const lengths =
      this.location === 'body'
        ? fc.oneof(fc.integer({ min: max + 1, max: max + 64 }), fc.integer({ min: 10_000, max: 60_000 }))
        : fc.integer({ min: max + 1, max: max + 64 });
    return fc
      .tuple(fc.constantFrom('x', 'A', '7', '京', '📦', "'", '\u0000', '\u202E'), lengths)
      .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)));
  }

  private numberMutations(n: JsonSchema, integer: boolean, add: AddMutation): void {
    const lo = n.minimum ?? n.exclusiveMinimum;
    const hi = n.maximum ?? n.exclusiveMaximum;
    if (lo !== undefined) add('below-minimum', fc.constantFrom(lo - 1, lo - 0.5, lo - 1e-9, -1, -1e9, -Number.MAX_SAFE_INTEGER).filter((v) => v < lo || (n.exclusiveMinimum !== undefined && v <= lo)));
    if (hi !== undefined) add('above-maximum', fc.constantFrom(hi + 1, hi + 0.5, hi * 10 + 1, 1e21, Number.MAX_VALUE).filter((v) => v > hi));
    // Fractions for integers (a quantity of 1.5); three decimals for prices, which the schema refines to fen.
    const [blo, bhi] = this.bounds(n, false);
    add('fractional', fc.oneof(fc.constantFrom(0.5, 1.5, 0.001, 19.999, 1.005, 1e-7), fc.double({ min: blo, max: bhi, noNaN: true })).filter((v) => (integer ? !Number.isInteger(v) : Math.abs(Math.round(v * 100) - v * 100) > 1e-6)));
    if (this.location === 'query') add('wrong-type', fc.constantFrom('abc', '', 'NaN', 'Infinity', '1e400', '١٢', '1,5', "1'; DROP TABLE goods; --"));
  }

  private arrayMutations(n: JsonSchema, depth: number, add: AddMutation, candidates: Weighted[]): void {
    const item = this.valid(n.items ?? {}, depth + 1);
    if ((n.minItems ?? 0) >= 1) add('too-few-items', fc.constant([]));
    if (n.maxItems !== undefined) {
      const max = n.maxItems;
      add('too-many-items', fc.integer({ min: max + 1, max: max + 30 }).chain((count) => fc.array(item, { minLength: count, maxLength: count })));
    }
    add('duplicate-item', fc.array(item, { minLength: 1, maxLength: 4 }).chain((arr) => fc.nat(arr.length - 1).map((i) => [...arr, arr[i]])));
    const bad = this.invalid(n.items ?? {}, depth + 1);
    if (bad) {
      const base = this.valid(n, depth + 1) as fc.Arbitrary<unknown[]>;
      candidates.push({
        weight: bad.weight,
        arbitrary: fc.tuple(base, bad.arbitrary, fc.nat()).map(([arr, m, k]) => {
          const i = k % (arr.length + 1);
          const copy = [...arr];
          copy[i] = m.value;
          return { value: copy, kind: m.kind, at: [i, ...m.at] };
        }),
      });
    }
  }

  private objectMutations(n: JsonSchema, depth: number, candidates: Weighted[]): void {
    const base = this.valid(n, depth + 1) as fc.Arbitrary<Record<string, unknown>>;
    const props = n.properties ?? {};
    if (this.location !== 'path') {
      const required = n.required ?? [];
      if (required.length > 0) {
        candidates.push({
          weight: 1,
          arbitrary: fc.tuple(base, fc.constantFrom(...required)).map(([o, key]) => ({ value: without(o, key), kind: 'missing-required' as const, at: [key] })),
        });
      }
      if (n.additionalProperties === false) {
        const keys = [...UNKNOWN_KEYS, ...Object.keys(props).map((k) => k.toUpperCase()), ...Object.keys(props).map((k) => `${k} `)].filter((k) => !(k in props));
        const extra = this.location === 'body' ? fc.constantFrom<unknown>('x', 1, null, {}, ['x']) : fc.constant('x');
        candidates.push({
          weight: 1,
          arbitrary: fc.tuple(base, fc.constantFrom(...keys), extra).map(([o, key, v]) => ({ value: withKey(o, key, v), kind: 'unknown-field' as const, at: [key] })),
        });
      }
    }
    for (const [key, prop] of Object.entries(props)) {
      const bad = this.invalid(prop, depth + 1);
      if (bad) {
        candidates.push({
          weight: bad.weight,
          arbitrary: fc.tuple(base, bad.arbitrary).map(([o, m]) => ({ value: withKey(o, key, m.value), kind: m.kind, at: [key, ...m.at] })),
        });
      }
    }
  }
}

export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

// ---- whole requests ---------------------------------------------------------------------------------

export interface RouteSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

export interface RequestInput {
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  /** A JSON value, or NO_BODY. */
  body: unknown;
}

export interface InvalidRequest extends RequestInput {
  location: Location;
  kind: MutationKind;
  /** The damaged field as the API names it: `path.sku`, `query.limit`, `lines.0.quantity`, `(body)`. */
  field: string;
}

const PREFIX: Record<Location, string> = { path: 'path.', query: 'query.', body: '' };

export function fieldName(location: Location, at: ReadonlyArray<string | number>): string {
  if (at.length === 0) return location === 'body' ? '(body)' : PREFIX[location].slice(0, -1);
  return PREFIX[location] + at.map(String).join('.');
}

export interface DeriveOptions {
  /** Existing codes per path parameter or top-level field (`{ sku: ['SKU-1'] }`), used about half the time. */
  known?: Record<string, readonly string[]>;
}

/** Valid-looking values for each part a route declares (a best effort: refinements may still refuse one). */
export function validRequests(schemas: RouteSchemas, options: DeriveOptions = {}): fc.Arbitrary<RequestInput> {
  const part = (schema: z.ZodType | undefined, location: Location, absent: unknown) => {
    if (!schema) return fc.constant(absent);
    const root = jsonSchemaOf(schema);
    return new Deriver(root, location, options.known).valid(root);
  };
  return fc.record({
    params: part(schemas.params, 'path', {}) as fc.Arbitrary<Record<string, string>>,
    query: part(schemas.query, 'query', {}) as fc.Arbitrary<Record<string, string | string[]>>,
    body: part(schemas.body, 'body', NO_BODY),
  });
}

/** Requests with exactly one part damaged; undefined when the route declares nothing that can be wrong. */
export function invalidRequests(schemas: RouteSchemas, options: DeriveOptions = {}): fc.Arbitrary<InvalidRequest> | undefined {
  const valid = validRequests(schemas, options);
  // Bodies have the most structure to get wrong, so they get most of the runs.
  const weights: Record<Location, number> = { path: 2, query: 3, body: 6 };
  const candidates: Array<fc.WeightedArbitrary<InvalidRequest>> = [];
  const parts: Array<[Location, z.ZodType | undefined, keyof RequestInput]> = [
    ['path', schemas.params, 'params'],
    ['query', schemas.query, 'query'],
    ['body', schemas.body, 'body'],
  ];
  for (const [location, schema, key] of parts) {
    if (!schema) continue;
    const root = jsonSchemaOf(schema);
    const bad = new Deriver(root, location, options.known).invalid(root);
    if (bad) {
      candidates.push({
        weight: weights[location],
        arbitrary: fc.tuple(valid, bad.arbitrary).map(([req, m]) => ({ ...req, [key]: m.value, location, kind: m.kind, field: fieldName(location, m.at) })),
      });
    }
  }
  if (schemas.body) {
    candidates.push({ weight: 1, arbitrary: valid.map((req) => ({ ...req, body: NO_BODY, location: 'body' as const, kind: 'no-body' as const, field: '(body)' })) });
  }
  return candidates.length > 0 ? fc.oneof(...candidates) : undefined;
}

// ---- every string field ---------------------------------------------------------------------------------

export interface StringField {
  location: Location;
  /** Path inside the part; an array's items are reached through index 0. */
  at: Array<string | number>;
  /** The field as the API names it. */
  field: string;
}

/** Every place a route takes a string, as its schemas declare them (through unions, objects and lists). */
export function stringFields(schemas: RouteSchemas): StringField[] {
  const found = new Map<string, StringField>();
  const parts: Array<[Location, z.ZodType | undefined]> = [
    ['path', schemas.params],
    ['query', schemas.query],
    ['body', schemas.body],
  ];
  for (const [location, schema] of parts) {
    if (!schema) continue;
    const root = jsonSchemaOf(schema);
    const deriver = new Deriver(root, location);
    const walk = (node: JsonSchema, at: Array<string | number>, depth: number): void => {
      if (depth > MAX_DEPTH) return;
      const n = deriver.resolve(node);
      for (const branch of [...(n.anyOf ?? []), ...(n.oneOf ?? []), ...(n.allOf ?? [])]) walk(branch, at, depth + 1);
      const types = deriver.typesOf(n);
      if (types?.has('string') && !n.enum && n.const === undefined) {
        const field = fieldName(location, at);
        found.set(field, { location, at, field });
      }
      for (const [key, prop] of Object.entries(n.properties ?? {})) walk(prop, [...at, key], depth + 1);
      if (n.items) walk(n.items, [...at, 0], depth + 1);
    };
    walk(root, [], 0);
  }
  return [...found.values()];
}

/** A copy of `input` with `value` at `field`, creating the objects and lists on the way. */
export function withValueAt(input: RequestInput, { location, at }: StringField, value: string): RequestInput {
  const key = location === 'path' ? 'params' : location;
  const copy = structuredClone({ params: input.params, query: input.query, body: input.body === NO_BODY ? {} : input.body }) as Record<string, unknown>;
  let node = copy as Record<string | number, unknown>;
  const steps: Array<string | number> = [key, ...at];
  for (let i = 0; i < steps.length - 1; i += 1) {
    const step = steps[i]!;
    const next = steps[i + 1]!;
    const existing = node[step];
    if (typeof existing !== 'object' || existing === null) node[step] = typeof next === 'number' ? [] : {};
    node = node[step] as Record<string | number, unknown>;
  }
  Object.defineProperty(node, steps.at(-1)!, { value, enumerable: true, writable: true, configurable: true });
  return copy as unknown as RequestInput;
}

// ---- what the API will see ----------------------------------------------------------------------------

/** The body as Express hands it to zod; undefined when none is sent. */
export function servedBody(body: unknown): unknown {
  return body === NO_BODY ? undefined : JSON.parse(JSON.stringify(body));
}

/** body-parser's strict mode refuses top-level JSON that is not an object or array before zod sees it. */
export function refusedAsJson(body: unknown): boolean {
  return body !== NO_BODY && (body === null || typeof body !== 'object');
}

/** Query strings round-trip through node:querystring, which the app uses (`query parser: simple`). */
export function queryString(query: Record<string, string | string[]>): string {
  return querystring.stringify(query);
}

export function servedQuery(query: Record<string, string | string[]>): Record<string, unknown> {
  return { ...querystring.parse(queryString(query)) };
}

/** Every path character except unreserved ones is percent-encoded, dots included, so no segment is `.` or `..`. */
export function encodeSegment(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*.~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function concretePath(openApiPath: string, params: Record<string, string>): string {
  return openApiPath.replace(/\{(\w+)\}/g, (_m, name: string) => encodeSegment(params[name] ?? 'X'));
}

/** The field errors the API must report for this input: zod's verdict on what Express hands it. */
export function expectedFieldErrors(schemas: RouteSchemas, input: RequestInput): FieldError[] {
  // A body body-parser refuses never reaches the route: the only complaint is about the body itself.
  if (refusedAsJson(input.body)) return [{ field: '(body)', message: 'is not valid JSON' }];
  const errors: FieldError[] = [];
  const check = (schema: z.ZodType | undefined, value: unknown, prefix: string) => {
    const result = schema?.safeParse(value);
    if (result && !result.success) errors.push(...fieldErrors(result.error, prefix));
  };
  check(schemas.params, input.params, 'path.');
  check(schemas.query, servedQuery(input.query), 'query.');
  check(schemas.body, servedBody(input.body), '');
  return errors;
}

/** Dotted paths name the same field when one is the other or contains it (`lines` and `lines.0.sku`). */
export function sameOrNested(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

/**
 * True when the damaged part is invalid as served and zod blames the damaged field: an input the
 * schema would accept anyway (a repeat in a list that allows repeats, a coerced "5") is not sent.
 */
export function isInvalidAtMutation(schemas: RouteSchemas, input: InvalidRequest): boolean {
  const fields = expectedFieldErrors(schemas, input).map((e) => e.field);
  if (input.field === '(body)') return fields.some((f) => !f.startsWith('path.') && !f.startsWith('query.'));
  return fields.some((f) => sameOrNested(f, input.field));
}

// ---- bodies refused before validation -------------------------------------------------------------------

export type TransportKind = 'malformed-json' | 'wrong-content-type' | 'unsupported-charset' | 'corrupt-encoding' | 'unsupported-encoding' | 'oversized';

export interface RawBody {
  kind: TransportKind;
  /** Sent as UTF-8 bytes, exactly as given. */
  payload: string;
  /** Absent: no Content-Type header at all. */
  contentType?: string;
  contentEncoding?: string;
  /** What the API must answer. */
  status: 400 | 413 | 415;
}

/** fast-check prints counterexamples with this: a megabyte payload would drown the report. */
function printable(raw: RawBody): RawBody {
  const shown = raw.payload.length > 120 ? `${JSON.stringify(raw.payload.slice(0, 120))}… (${raw.payload.length} chars)` : JSON.stringify(raw.payload);
  const headers = `${raw.contentType ?? 'no Content-Type'}${raw.contentEncoding ? `, Content-Encoding ${raw.contentEncoding}` : ''}`;
  return Object.assign(raw, { [fc.toStringMethod]: () => `${raw.kind} (${headers}) ${shown}` });
}

/** Would body-parser (strict) refuse this text? Only such payloads are sent, so no handler can run. */
export function isMalformedJson(text: string): boolean {
  if (text.length === 0) return false; // body-parser reads an empty body as {}
  // JSON whitespace is exactly space, tab, LF and CR.
  const first = [...text].find((c) => c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r');
  if (first !== '{' && first !== '[') return true;
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}

function corruptions(json: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.integer({ min: 1, max: Math.max(1, json.length - 1) }).map((cut) => json.slice(0, cut)),
    fc.constant(json.replace(/"/g, "'")),
    fc.constant(json.replace(/}$/, ',}')),
    fc.constant(json.replace(/:/, ': NaN, "x":')),
    fc.constant(`// comment\n${json}`),
    fc.constant(json.replace(/"([^"]*)"/, '"$1\u0001"')),
    fc.constant(`${json}${json}`),
    fc.constant('{"a": 1} trailing'),
    fc.constant('{"a": undefined}'),
    fc.constant('{"a": 0x10}'),
    fc.constant(`{"a": "${'\\u00'}"}`),
    fc.constant('['.repeat(1_000)),
    fc.constant('\u0000'),
    fc.constant('=' + json),
  );
}

/** Bodies the API must refuse at the door, whatever the route: broken JSON, other media types, bad encodings. */
export function rawBodies(validBodies: fc.Arbitrary<unknown>, bodyLimitBytes: number): fc.Arbitrary<RawBody> {
  const json = validBodies.map((b) => JSON.stringify(b === NO_BODY ? { name: 'x' } : b) ?? '{}');
  const kinds: Array<fc.WeightedArbitrary<RawBody>> = [
    { weight: 4, arbitrary: json.chain(corruptions).filter(isMalformedJson).map((payload) => ({ kind: 'malformed-json', payload, contentType: 'application/json', status: 400 })) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(json, fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'text/json', 'application/vnd.api+json', 'application/octet-stream', 'image/png', 'text/html; charset=utf-8'))
        .map(([payload, contentType]) => ({ kind: 'wrong-content-type', payload, contentType, status: 415 })),
    },
    { weight: 1, arbitrary: json.map((payload) => ({ kind: 'wrong-content-type', payload, status: 415 })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(json, fc.constantFrom('latin1', 'iso-8859-1', 'us-ascii', 'gbk', 'gb2312', 'windows-1252'))
        .map(([payload, charset]) => ({ kind: 'unsupported-charset', payload, contentType: `application/json; charset=${charset}`, status: 415 })),
    },
    {
      weight: 2,
      // Plain JSON announced as compressed: the decompressor fails on the first bytes.
      arbitrary: fc
        .tuple(json, fc.constantFrom('gzip', 'deflate', 'br'))
        .map(([payload, contentEncoding]) => ({ kind: 'corrupt-encoding', payload, contentType: 'application/json', contentEncoding, status: 400 })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(json, fc.constantFrom('compress', 'x-custom', 'gzip, br', 'identity;q=0'))
        .map(([payload, contentEncoding]) => ({ kind: 'unsupported-encoding', payload, contentType: 'application/json', contentEncoding, status: 415 })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('x', '京', '📦')
        .map((unit) => ({ kind: 'oversized', payload: `{"name":"${unit.repeat(Math.ceil((bodyLimitBytes + 1024) / Buffer.byteLength(unit)))}"}`, contentType: 'application/json', status: 413 })),
    },
  ];
  return fc.oneof(...kinds).map(printable);
}
