// DESIGN.md §1's "may import" column is enforced by `npm run lint` (eslint.config.mjs). This lints a
// back-edge in every product folder through the project's own ESLint configuration, so a rule that stops
// firing (a renamed folder, a regex that no longer matches) fails here instead of passing silently.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');

// ESLint loads its flat config with a dynamic import, which jest's module sandbox cannot do: lint in a
// child Node process, all cases in one go.
const LINT_CASES = `
import { ESLint } from 'eslint';
const cases = JSON.parse(process.argv[1]);
const eslint = new ESLint({ cwd: process.cwd() });
const out = [];
for (const [filePath, source] of cases) {
  const [result] = await eslint.lintText(source, { filePath });
  out.push(result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
}
process.stdout.write(JSON.stringify(out));
`;

function restrictedImports(cases: Array<[file: string, source: string]>): string[][] {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', LINT_CASES, JSON.stringify(cases)], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out) as string[][];
}

const use = (spec: string) => `import * as m from '${spec}';\nexport const used = m;\n`;

const FORBIDDEN: Array<[file: string, spec: string, message: RegExp]> = [
    ['activities/erp/x.ts', '../../workflows/sales-order', /activities\/ may not import workflows\//],
    ['activities/eclp/x.ts', '../../client', /activities\/ may not import client\//],
    ['activities/eclp/x.ts', '../../eclp/errors', /through eclp\/index\.ts only/],
    ['workflows/x.ts', '../db/sales-orders', /workflows\/ may not import db\//],
    ['workflows/saga/x.ts', '../../eclp', /workflows\/ may not import eclp\//],
    ['workflows/x.ts', '../activities/erp', /may only type-import activities\//],
    ['workflows/x.ts', 'node:crypto', /workflows\/ may not use these packages/],
    ['messages/x.ts', '../activities/erp', /messages\/ may not import activities\//],
    ['messages/x.ts', '../workflows/sales-order', /messages\/ may not import workflows\//],
    ['client/x.ts', '../workflows/sales-order', /client\/ may not import workflows\//],
    ['client/x.ts', '../db', /client\/ may not import db\//],
    ['api/x.ts', '../workflows/sales-order', /api\/ may not import workflows\//],
    ['api/sales-orders/x.ts', '../../messages/ids', /api\/ may not import messages\//],
    ['api/x.ts', '../activities/erp', /api\/ may not import activities\//],
    ['db/x.ts', '../api/app', /db\/ may not import api\//],
    ['db/sales-orders/x.ts', '../../messages/cancel', /db\/ may not import messages\//],
    ['domain/x.ts', '../db', /domain\/ may not import db\//],
    ['eclp/x.ts', '../domain/errors', /eclp\/ may not import domain\//],
    ['eclp/api/x.ts', 'zod', /uses Node built-ins only/],
    ['simulator/x.ts', '../eclp/errors', /eclp\/protocol and eclp\/config only/],
    ['worker/x.ts', '../workflows/sales-order', /worker\/ may not import workflows\//],
    ['migrations/x.ts', '../domain/statuses', /migrations\/ may not import domain\//],
];

const ALLOWED: Array<[file: string, source: string]> = [
    ['workflows/x.ts', "import type { ErpActivities } from '../activities/erp';\nexport type A = ErpActivities;\n"],
    ['activities/eclp/x.ts', use('../../eclp')],
    ['eclp/api/x.ts', use('../config')],
    ['api/sales-orders/x.ts', use('../../client')],
    ['client/x.ts', use('../messages/sales-order')],
    ['simulator/x.ts', use('../eclp/protocol')],
];

describe('layer rules (npm run lint)', () => {
  let forbidden: string[][];
  let allowed: string[][];
  beforeAll(() => {
    const results = restrictedImports([...FORBIDDEN.map(([file, spec]): [string, string] => [file, use(spec)]), ...ALLOWED]);
    forbidden = results.slice(0, FORBIDDEN.length);
    allowed = results.slice(FORBIDDEN.length);
  }, 60_000);

  it.each(FORBIDDEN.map((c, i) => [...c, i] as const))('%s importing %s fails lint', (_file, _spec, message, i) => {
    expect(forbidden[i]).toEqual([expect.stringMatching(message)]);
  });

  it.each(ALLOWED.map(([file], i) => [file, i] as const))('%s may import what DESIGN.md allows', (_file, i) => {
    expect(allowed[i]).toEqual([]);
  });
});
