// Issue 9 §1: text PostgreSQL cannot store (and text that reads differently from what it holds) is
// refused by one pure check, which the API's zod type and the workflow's signal check both use.
import { z } from 'zod';
import { fieldErrors } from '../../api/route';
import { carrierBody, categoryBody, goodsBody, supplierBody, warehouseBody } from '../../domain/master-data';
import { cancelRequestBody, salesOrderBody } from '../../domain/sales-order';
import { isStorableText, textProblem } from '../../domain/text';
import { freeText } from '../../domain/text-schema';
import { checkCancelPayload } from '../../messages/cancel';

/** One of each kind the issue names; `\n` and `\r` are refused only where a field is one line. */
export const UNSTORABLE: ReadonlyArray<[string, string, RegExp]> = [
  ['NUL', 'a\u0000b', /NUL character \(U\+0000/],
  ['a lone high surrogate', 'a\uD800b', /unpaired UTF-16 surrogate \(U\+D800/],
  ['a lone low surrogate', 'a\uDFFF', /unpaired UTF-16 surrogate \(U\+DFFF/],
  ['a surrogate pair cut short at the end', '京\uD83D', /unpaired UTF-16 surrogate \(U\+D83D/],
  ['BEL', 'a\u0007', /control character U\+0007/],
  ['ESC (terminal colours)', '\u001b[31mred', /control character U\+001B/],
  ['TAB', 'a\tb', /control character U\+0009/],
  ['DEL', 'a\u007f', /control character U\+007F/],
  ['a C1 control', 'a\u0085b', /control character U\+0085/],
  ['RIGHT-TO-LEFT OVERRIDE', '\u202Eevil', /bidirectional control U\+202E/],
  ['LEFT-TO-RIGHT EMBEDDING', 'a\u202Ab', /bidirectional control U\+202A/],
  ['RIGHT-TO-LEFT ISOLATE', 'a\u2067b', /bidirectional control U\+2067/],
];

describe('textProblem', () => {
  it.each(UNSTORABLE)('refuses %s, naming the code point and not the text', (_label, value, problem) => {
    expect(textProblem(value)).toMatch(problem);
    expect(textProblem(value, { lineBreaks: true })).toMatch(problem);
    expect(isStorableText(value)).toBe(false);
  });

  it.each([
    ['Chinese', '北京市朝阳区建国路88号'],
    ['emoji (surrogate pairs) and a ZWJ sequence', '📦🚚 👨‍👩‍👧‍👦'],
    ['Arabic and Hebrew with the ordinary marks', 'مرحبا \u200F שלום \u200E'],
    ['combining marks, full-width and ideographic space', 'e\u0301 ｓｋｕ\u3000１'],
    ['SQL-ish and template text', "'; DROP TABLE goods; -- ${7*7}"],
    ['the empty string', ''],
  ])('accepts %s', (_label, value) => {
    expect(textProblem(value)).toBeUndefined();
  });

  it('says where the first offending character is, counted in UTF-16 units', () => {
    expect(textProblem('a\u0000b')).toBe('must not contain the NUL character (U+0000, at position 2): the database cannot store it');
    expect(textProblem('📦\u202E\u0000')).toMatch(/U\+202E \(at position 3\)/);
  });

  it('takes line breaks only where a field allows them', () => {
    expect(textProblem('第一行\n第二行')).toMatch(/single line \(line break U\+000A/);
    expect(textProblem('a\r\nb')).toMatch(/single line \(line break U\+000D/);
    expect(textProblem('第一行\r\n第二行', { lineBreaks: true })).toBeUndefined();
    expect(textProblem('a\n\u0000', { lineBreaks: true })).toMatch(/NUL/);
  });
});

describe('freeText, the zod type of every free-text field', () => {
  const one = z.strictObject({ name: freeText({ max: 20 }) });
  it('answers with the field named and the problem, without echoing the value', () => {
    const result = one.safeParse({ name: '张三\u0000secret' });
    expect(result.success).toBe(false);
    const errors = fieldErrors(result.error!);
    expect(errors).toEqual([{ field: 'name', message: expect.stringMatching(/NUL character/) }]);
    expect(JSON.stringify(result.error!.issues)).not.toContain('secret');
  });

  it('still trims, and still refuses blank and long values', () => {
    expect(one.parse({ name: '  张三 ' })).toEqual({ name: '张三' });
    expect(one.safeParse({ name: '   ' }).success).toBe(false);
    expect(one.safeParse({ name: 'x'.repeat(21) }).success).toBe(false);
  });
});

describe('every free-text field of every route body', () => {
  const order = {
    orderNo: 'SO-1',
    shopOrderNo: 'TB-1',
    warehouseCode: 'BJ',
    carrierCode: 'JD',
    consignee: { name: '张三', mobile: '13800000000', province: '北京', city: '北京市', county: '朝阳区', town: '建外街道', address: '建国路88号' },
    lines: [{ sku: 'SKU-1', quantity: 1, price: 1 }],
    remark: '请\n轻放',
  };
  const cases: Array<[string, z.ZodType, Record<string, unknown>, string[]]> = [
    ['sales order', salesOrderBody, order, ['shopOrderNo', 'consignee.name', 'consignee.province', 'consignee.city', 'consignee.county', 'consignee.town', 'consignee.address', 'remark']],
    ['cancel request', cancelRequestBody, { reason: '买家退款' }, ['reason']],
    ['warehouse', warehouseBody, { name: '北京仓', eclpConnected: false }, ['name']],
    ['carrier', carrierBody, { name: '京东快递', jdShipperNo: 'CYS0000010' }, ['name']],
    ['supplier', supplierBody, { name: '供应商', jdSupplierNo: 'EMS1' }, ['name']],
    ['category', categoryBody, { name: '其他', jdFirstCategoryNo: '1', jdSecondCategoryNo: '2', jdThirdCategoryNo: '3' }, ['name']],
    ['goods', goodsBody, { name: '龙井', barcodes: ['690'], categoryCode: 'OTHER' }, ['name']],
  ];

  const set = (body: Record<string, unknown>, field: string, value: string): Record<string, unknown> => {
    const copy = structuredClone(body);
    const keys = field.split('.');
    let at: Record<string, unknown> = copy;
    for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>;
    at[keys.at(-1)!] = value;
    return copy;
  };

  it.each(cases)('%s: the valid body passes, and each bad character in each text field is refused at that field', (_label, schema, body, fields) => {
    expect(schema.safeParse(body).success).toBe(true);
    for (const field of fields) {
      for (const [what, bad] of UNSTORABLE) {
        const result = schema.safeParse(set(body, field, `京${bad}东`));
        expect({ field, what, errors: result.success ? [] : fieldErrors(result.error).map((e) => e.field) }).toEqual({ field, what, errors: [field] });
      }
    }
  });

  it('a remark keeps its line breaks; a name, address or reason must be one line', () => {
    expect(salesOrderBody.parse(order).remark).toBe('请\n轻放');
    expect(salesOrderBody.safeParse(set(order, 'consignee.address', '建国路\n88号')).success).toBe(false);
    expect(cancelRequestBody.safeParse({ reason: '买家\n退款' }).success).toBe(false);
  });
});

describe('checkCancelPayload: the same check for signals typed into the Temporal UI/CLI', () => {
  it.each(UNSTORABLE)('ignores a reason with %s', (_label, bad, problem) => {
    const checked = checkCancelPayload({ reason: `客户${bad}要求`, actor: { role: 'operator' } });
    expect(checked).toEqual({ ok: false, problem: expect.stringMatching(/^reason must/) });
    if (!checked.ok) expect(checked.problem).toMatch(problem);
  });

  it('keeps its existing problems for the existing cases, and accepts what it accepted', () => {
    expect(checkCancelPayload({ reason: '  ', actor: { role: 'operator' } })).toEqual({ ok: false, problem: 'reason must be a non-empty string' });
    expect(checkCancelPayload({ reason: 'x'.repeat(201), actor: { role: 'operator' } })).toEqual({ ok: false, problem: 'reason must be at most 200 characters' });
    expect(checkCancelPayload({ reason: ' 客户要求 📦 ', actor: { role: 'operator' } })).toEqual({ ok: true, value: { reason: '客户要求 📦', actor: { role: 'operator' } } });
  });

  it('takes in such a reason only when told to (replaying a run from before the check)', () => {
    expect(checkCancelPayload({ reason: 'a\u0000b', actor: { role: 'operator' } }, { storableReason: false })).toEqual({ ok: true, value: { reason: 'a\u0000b', actor: { role: 'operator' } } });
  });
});
