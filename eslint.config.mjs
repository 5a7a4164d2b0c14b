// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

// ---- layers (DESIGN.md §1, "may import") ------------------------------------------------------------
// Each product folder lists the project folders it may import; any other folder is a back-edge and fails
// `npm run lint`. test/layers.test.ts lints a forbidden import in every folder to prove it.
const FOLDERS = ['activities', 'api', 'bench', 'client', 'config', 'db', 'domain', 'eclp', 'messages', 'migrations', 'scripts', 'simulator', 'test', 'worker', 'workflows'];
const NODE_BUILTINS = ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'net', 'os', 'child_process', 'timers', 'url', 'util'];

/** From a file `depth` folders below the root, a relative import that reaches project folder `x`. */
const folderImport = (folder, depth) => `^(\\.\\./){${depth}}${folder}(/.*)?$`;

/**
 * One block per depth (`api/x.ts`, `api/sales-orders/x.ts`, …): an import string is relative to its
 * file, so `../config` leaves `eclp/` from `eclp/x.ts` but not from `eclp/api/x.ts`.
 * @param {string} folder
 * @param {{ may: string[], packages?: string[], typeOnly?: string[], extra?: (depth: number) => object[], why: string }} rule
 */
function layer(folder, { may, packages = [], typeOnly = [], extra = () => [], why }) {
  const forbidden = FOLDERS.filter((f) => f !== folder && !may.includes(f) && !typeOnly.includes(f));
  return [1, 2, 3].map((depth) => ({
    files: [`${folder}/${'*/'.repeat(depth - 1)}*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...forbidden.map((f) => ({ regex: folderImport(f, depth), message: `${folder}/ may not import ${f}/ (DESIGN.md §1): ${why}` })),
          ...typeOnly.map((f) => ({ regex: folderImport(f, depth), allowTypeImports: true, message: `${folder}/ may only type-import ${f}/ (DESIGN.md §1): ${why}` })),
          ...(packages.length > 0 ? [{ group: packages, message: `${folder}/ may not use these packages (DESIGN.md §1): ${why}` }] : []),
          ...extra(depth),
        ],
      }],
    },
  }));
}

const layers = [
  layer('workflows', {
    may: ['messages', 'domain'],
    typeOnly: ['activities'],
    packages: [...NODE_BUILTINS, 'knex', 'pg', 'express', 'pino', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'],
    why: 'workflow code runs in the deterministic sandbox: no I/O, no Node modules; activities are called by type only.',
  }),
  layer('messages', {
    may: ['domain'],
    packages: [...NODE_BUILTINS, 'knex', 'pg', 'zod', 'express', 'pino', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'],
    why: 'the message module sits below workflows, activities and client: definitions only.',
  }),
  layer('client', {
    may: ['messages', 'domain'],
    packages: ['knex', 'pg', 'express', '@temporalio/worker', '@temporalio/activity'],
    why: 'the Temporal client layer starts and signals workflows by their messages, never by their code.',
  }),
  layer('activities', {
    may: ['eclp', 'db', 'domain', 'messages', 'config'],
    packages: ['express', '@temporalio/worker', '@temporalio/workflow'],
    extra: (depth) => [{ regex: `^(\\.\\./){${depth}}eclp/.+$`, message: 'activities/ use the JD client through eclp/index.ts only: JD wire details stay in eclp/.' }],
    why: 'activities are called by workflows, not the other way round.',
  }),
  layer('eclp', {
    may: [],
    extra: () => [{ regex: '^(?!node:|\\.)', message: 'eclp/ (the JOS client) uses Node built-ins only.' }],
    why: 'the JOS client depends on nothing of ours.',
  }),
  layer('simulator', {
    may: ['eclp'],
    extra: (depth) => [{ regex: `^(\\.\\./){${depth}}eclp(/(?!protocol$|config$).*)?$`, message: 'simulator/ may use eclp/protocol and eclp/config only: it is JD, not our client.' }],
    why: 'the simulator is the outside world.',
  }),
  layer('domain', {
    may: [],
    packages: ['knex', 'pg', 'express', 'pino', '@temporalio/*'],
    why: 'domain/ holds rules and vocabulary shared by everyone, so it depends on no one.',
  }),
  layer('config', { may: ['eclp'], packages: ['knex', 'pg', 'express', '@temporalio/*'], why: 'configuration parsing depends on nothing.' }),
  layer('db', { may: ['domain', 'migrations', 'config'], packages: ['express', '@temporalio/*'], why: 'repositories know tables, not their callers.' }),
  layer('migrations', { may: [], packages: ['express', '@temporalio/*'], why: 'a migration must not change when product code does.' }),
  layer('worker', {
    may: ['activities', 'db', 'eclp', 'messages', 'config'],
    why: 'the worker wires activities and loads workflows/ by path (the bundler), never by import.',
  }),
  layer('api', {
    may: ['domain', 'db', 'client', 'config'],
    packages: ['@temporalio/worker', '@temporalio/activity', '@temporalio/workflow'],
    why: 'the API reads Postgres and reaches workflows through client/ only.',
  }),
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', '.tools/', 'coverage/', 'bench/results/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { globals: { module: 'writable', require: 'readonly', process: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  ...layers.flat(),
);
