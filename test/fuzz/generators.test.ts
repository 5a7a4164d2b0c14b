// The fuzzer's generators, checked on their own: if they drifted into producing mostly valid or mostly
// skipped inputs, or stopped producing a kind of damage the issue asks for, the fuzz run would still pass
// and prove nothing.
import fc from 'fast-check';
import { z } from 'zod';
import { pageQuery } from '../../api/master-data';
import { codeSchema, goodsBody, warehouseBody } from '../../domain/master-data';
import { salesOrderBody } from '../../domain/sales-order';
import {
  NASTY_STRINGS,
  NO_BODY,
  concretePath,
  encodeSegment,
  expectedFieldErrors,
  invalidRequests,
  isInvalidAtMutation,
  isMalformedJson,
  rawBodies,
  servedQuery,
  stringFields,
  UNSTORABLE_BODY_ONLY,
  UNSTORABLE_CHARACTERS,
  validRequests,
  type InvalidRequest,
  type RouteSchemas,
} from './generators';

const routes: Record<string, RouteSchemas> = {
  'PUT goods': { params: z.strictObject({ sku: codeSchema }), body: goodsBody },
  'PUT warehouse': { params: z.strictObject({ code: codeSchema }), body: warehouseBody },
  'POST sales order': { body: salesOrderBody },
  'GET list': { query: pageQuery.extend({ status: z.enum(['REVIEW', 'SHIPPED']).optional() }) },
};

function sample(schemas: RouteSchemas, numRuns: number): InvalidRequest[] {
  return fc.sample(invalidRequests(schemas)!, { numRuns, seed: 20261129 });
}

describe('invalid requests', () => {
  it.each(Object.entries(routes))('%s: almost all are refused by the schema at the damaged field', (_name, schemas) => {
    const inputs = sample(schemas, 500);
    const kept = inputs.filter((input) => isInvalidAtMutation(schemas, input));
    // The fuzz test skips the others (fc.pre); too many skips would make fast-check give up.
    expect(kept.length / inputs.length).toBeGreaterThan(0.95);
  });

  it('cover every kind of damage the issue lists, on the sales order', () => {
    const schemas = routes['POST sales order']!;
    const kept = sample(schemas, 3000).filter((input) => isInvalidAtMutation(schemas, input));
    const kinds = new Set(kept.map((input) => input.kind));
    for (const kind of ['wrong-type', 'missing-required', 'unknown-field', 'too-long', 'pattern', 'too-many-items', 'duplicate-item', 'below-minimum', 'fractional', 'no-body'] as const) {
      expect({ kind, present: kinds.has(kind) }).toEqual({ kind, present: true });
    }
    const text = kept.map((input) => JSON.stringify(input.body === NO_BODY ? null : input.body)).join('\n');
    expect(text).toContain('DROP TABLE');
    expect(text).toMatch(/\\u0000/);
    expect(text).toMatch(/\u202E|\\u202e/i);
    expect(text).toMatch(/\p{Extended_Pictographic}/u);
    // Negative and fractional quantities, and a repeated line, are damage inside the lines.
    expect(kept.some((i) => i.field.endsWith('.quantity') && i.kind === 'below-minimum')).toBe(true);
    expect(kept.some((i) => i.field.endsWith('.quantity') && i.kind === 'fractional')).toBe(true);
    expect(kept.some((i) => i.field === 'lines' && i.kind === 'duplicate-item')).toBe(true);
    // Huge strings: tens of thousands of characters, still under the 1 MB body limit.
    expect(kept.some((i) => i.kind === 'too-long' && JSON.stringify(i.body).length > 10_000)).toBe(true);
    expect(Math.max(...kept.map((i) => Buffer.byteLength(JSON.stringify(i.body === NO_BODY ? null : i.body))))).toBeLessThan(1024 * 1024);
  });

  it('put NUL, unpaired surrogates, control characters and bidi overrides into every string field (issue 9 §1)', () => {
    const schemas = routes['POST sales order']!;
    const kept = sample(schemas, 3000).filter((input) => input.kind === 'unstorable-text' && isInvalidAtMutation(schemas, input));
    const damaged = new Set(kept.map((input) => input.field.replace(/^lines\.\d+\./, 'lines.0.')));
    const fields = stringFields(schemas).map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['orderNo', 'shopOrderNo', 'consignee.name', 'consignee.address', 'consignee.town', 'remark', 'lines.0.sku']));
    for (const field of fields) expect({ field, damaged: damaged.has(field) }).toEqual({ field, damaged: true });
    const text = kept.map((input) => JSON.stringify(input.body)).join('');
    for (const c of [...UNSTORABLE_CHARACTERS, ...UNSTORABLE_BODY_ONLY]) expect({ c, sent: text.includes(JSON.stringify(c).slice(1, -1)) }).toEqual({ c, sent: true });
  });

  it('put no unpaired surrogate where a URL cannot carry one', () => {
    const schemas = routes['PUT goods']!;
    const inPath = sample(schemas, 1000).filter((i) => i.kind === 'unstorable-text' && i.location === 'path');
    expect(inPath.length).toBeGreaterThan(0);
    for (const input of inPath) expect(() => concretePath('/v1/goods/{sku}', input.params)).not.toThrow();
  });

  it('damage query parameters the way a client can: bad numbers, lists from repeated keys, unknown keys', () => {
    const schemas = routes['GET list']!;
    const kept = sample(schemas, 500).filter((input) => isInvalidAtMutation(schemas, input));
    expect(kept.some((i) => i.field === 'query.limit' && i.kind === 'below-minimum')).toBe(true);
    expect(kept.some((i) => i.field === 'query.offset' && i.kind === 'fractional')).toBe(true);
    expect(kept.some((i) => Array.isArray(i.query.limit))).toBe(true);
    expect(kept.some((i) => i.kind === 'unknown-field')).toBe(true);
    expect(kept.some((i) => i.field === 'query.status' && i.kind === 'not-in-enum')).toBe(true);
  });

  it('keep path parameters routable: never empty, `.` or `..`', () => {
    const schemas = routes['PUT goods']!;
    for (const input of sample(schemas, 500).filter((i) => i.location === 'path')) {
      expect(['', '.', '..']).not.toContain(input.params.sku);
      const url = new URL(concretePath('/v1/goods/{sku}', input.params), 'http://localhost');
      expect(url.pathname.split('/')).toHaveLength(4);
      expect(decodeURIComponent(url.pathname.split('/')[3]!)).toBe(input.params.sku);
    }
  });
});

describe('valid bases', () => {
  it.each([
    ['goods', goodsBody, 0.9],
    ['warehouse', warehouseBody, 0.5],
    ['sales order', salesOrderBody, 0.7],
  ] as const)('%s: mostly pass the schema, so a mutation is usually the only fault', (_name, schema, share) => {
    const bodies = fc.sample(validRequests({ body: schema }), { numRuns: 200, seed: 7 }).map((r) => r.body);
    expect(bodies.filter((b) => schema.safeParse(b).success).length / bodies.length).toBeGreaterThan(share);
  });
});

describe('what the API is expected to name', () => {
  it('a top-level JSON value that is not an object or array is refused as JSON, before any field', () => {
    expect(expectedFieldErrors({ params: z.strictObject({ sku: codeSchema }), body: goodsBody }, { params: { sku: 'bad sku' }, query: {}, body: 'text' })).toEqual([
      { field: '(body)', message: 'is not valid JSON' },
    ]);
  });

  it('query values as node:querystring hands them over', () => {
    expect(servedQuery({ limit: ['1', '2'], status: '' })).toEqual({ limit: ['1', '2'], status: '' });
  });
});

describe('transport-level bodies', () => {
  it('recognises malformed JSON as body-parser (strict) does', () => {
    for (const text of ['{"a":', "{'a': 1}", '{"a": 1,}', '"text"', 'null', '42', '[1] x', '{"a": NaN}', '\u0000']) expect({ text, malformed: isMalformedJson(text) }).toEqual({ text, malformed: true });
    for (const text of ['{}', ' [1, 2] ', '{"a": "\\u0000"}', '']) expect({ text, malformed: isMalformedJson(text) }).toEqual({ text, malformed: false });
  });

  it('only ever produce malformed JSON for the malformed kind, and a body over the limit for the oversized kind', () => {
    const raws = fc.sample(rawBodies(validRequests({ body: goodsBody }).map((r) => r.body), 1024 * 1024), { numRuns: 300, seed: 11 });
    expect(new Set(raws.map((r) => r.kind))).toEqual(new Set(['malformed-json', 'wrong-content-type', 'unsupported-charset', 'corrupt-encoding', 'unsupported-encoding', 'oversized']));
    for (const raw of raws.filter((r) => r.kind === 'malformed-json')) expect(isMalformedJson(raw.payload)).toBe(true);
    for (const raw of raws.filter((r) => r.kind === 'oversized')) expect(Buffer.byteLength(raw.payload)).toBeGreaterThan(1024 * 1024);
  });
});

it('percent-encodes every path character that a URL parser could reinterpret', () => {
  for (const s of [...NASTY_STRINGS, '.', '..', 'a/b', 'a?b#c', '~!*()\'']) {
    const encoded = encodeSegment(s);
    expect(encoded).toMatch(/^[A-Za-z0-9_%-]*$/);
    expect(decodeURIComponent(encoded)).toBe(s);
  }
});
