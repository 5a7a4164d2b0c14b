// Production mode and bad configuration (issue: production-safe defaults). Code defaults are production
// values; NODE_ENV=production refuses development defaults with one message naming every problem; a
// process that refuses its configuration exits 78, and `npm start` stops instead of restarting it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseApiTokens } from '../../api/auth';
import { SALES_ORDER_API_DEFAULTS, salesOrderApiConfigFromEnv } from '../../api/config';
import { ConfigurationError, EXIT_CONFIGURATION, isLoopbackHost } from '../../config/errors';
import { productionProblems } from '../../config/production';
import { databaseUrlFor, withClient } from '../../db';
import { startStack } from '../../scripts/stack';
import { harnessSettings } from '../harness';
import { newTestDatabaseName } from '../harness/postgres';
import { freePort } from '../support';

const ROOT = path.join(__dirname, '..', '..');

const GOOD: Record<string, string> = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://eclp@db.internal:5432/eclp',
  JD_APP_KEY: 'merchant-app-key',
  JD_APP_SECRET: 'merchant-app-secret',
  JD_ACCESS_TOKEN: 'merchant-access-token',
  ECLP_GATEWAY_URL: 'https://api.jd.com/routerjson',
  ECLP_MAX_QPS: '10',
  ERP_WEBHOOK_URL: 'https://erp.example.com/hooks/jd',
};

/** Runs a process entry point under tsx; resolves with its exit code and what it wrote to stderr. */
function run(entry: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('production defaults', () => {
  it('code defaults poll JD every 5 minutes; only explicit settings go faster', () => {
    expect(SALES_ORDER_API_DEFAULTS.pollIntervalMs).toBe(300_000);
    expect(salesOrderApiConfigFromEnv({})).toMatchObject({ pollIntervalMs: 300_000, sweepIntervalMs: 300_000, safetyPollIntervalMs: 9_000_000 });
    expect(salesOrderApiConfigFromEnv({ SO_POLL_INTERVAL_MS: '2000' })).toMatchObject({ pollIntervalMs: 2_000 });
  });

  it('a production environment with every setting right has no problem', () => {
    expect(productionProblems(GOOD)).toEqual([]);
  });

  it('names every development default at once', () => {
    const problems = productionProblems({ NODE_ENV: 'production', ECLP_GATEWAY_URL: 'http://api.jd.com/routerjson', JD_APP_SECRET: 'dev-app-secret' });
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/DATABASE_URL is not set/);
    expect(problems.join('\n')).toMatch(/JD_APP_KEY, JD_APP_SECRET and JD_ACCESS_TOKEN/);
    expect(problems.join('\n')).toMatch(/ECLP_GATEWAY_URL must be an https URL in production, got http:\/\/api\.jd\.com/);
    expect(problems.join('\n')).toMatch(/ECLP_MAX_QPS is not set/);
    expect(problems.join('\n')).toMatch(/ERP_WEBHOOK_URL is not set/);
  });

  it.each([
    ['JD_APP_SECRET', 'dev-app-secret', /JD_APP_KEY, JD_APP_SECRET/],
    ['ERP_WEBHOOK_URL', 'http://erp.example.com/hooks', /ERP_WEBHOOK_URL must be an https URL/],
    ['ECLP_GATEWAY_URL', 'not a url', /ECLP_GATEWAY_URL is not an absolute URL/],
  ])('refuses %s=%s', (name, value, problem) => {
    expect(productionProblems({ ...GOOD, [name]: value })).toEqual([expect.stringMatching(problem)]);
  });

  it('tells loopback hosts by the parsed host name, not by a pattern in the URL', () => {
    for (const url of ['http://127.0.0.1:3100/routerjson', 'http://localhost/x', 'http://[::1]:8080/']) expect(isLoopbackHost(new URL(url).hostname)).toBe(true);
    for (const url of ['https://localhost.evil.example/routerjson', 'https://api.jd.com/?next=127.0.0.1', 'https://127.0.0.1.example.com/']) expect(isLoopbackHost(new URL(url).hostname)).toBe(false);
  });

  it('API_TOKENS: one token under two roles, an entry without a role, and an empty list are startup errors', () => {
    expect(() => parseApiTokens('erp:same-token-0123456789,operator:same-token-0123456789')).toThrow(/the same token is listed for erp and operator/);
    expect(() => parseApiTokens('erp:erp-token-0123456789,token-without-role-0123')).toThrow(/entry 2 must be "role:token"/);
    expect(() => parseApiTokens(' , ')).toThrow(ConfigurationError);
    expect(parseApiTokens('erp:erp-token-0123456789,operator:operator-token-0123')).toHaveLength(2);
  });

  it.each([['api/main.ts'], ['worker/main.ts']])('%s refuses to start in production with development defaults: exit 78, one message naming each', async (entry) => {
    const { code, stderr } = await run(entry, { NODE_ENV: 'production', API_TOKENS: 'erp:erp-token-0123456789' });
    expect(code).toBe(EXIT_CONFIGURATION);
    for (const name of ['DATABASE_URL', 'JD_APP_KEY', 'ECLP_GATEWAY_URL', 'ECLP_MAX_QPS', 'ERP_WEBHOOK_URL']) expect(stderr).toContain(name);
    expect(stderr.match(/refuses to start/g)).toHaveLength(1);
  }, 60_000);
});

describe('npm start with a configuration the processes refuse', () => {
  const database = newTestDatabaseName();
  const { databaseAdminUrl, temporalAddress } = harnessSettings();

  beforeAll(() => withClient(databaseAdminUrl, (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`)));
  afterAll(() => withClient(databaseAdminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(database)} WITH (FORCE)`)));

  it('stops with the message instead of restarting the processes forever', async () => {
    const lines: string[] = [];
    const started = Date.now();
    await expect(
      startStack({
        dataDir: path.join(ROOT, '.data', `test-refused-${process.pid}`),
        env: {
          PATH: process.env.PATH ?? '',
          TEMPORAL_ADDRESS: temporalAddress,
          DATABASE_URL: databaseUrlFor(databaseAdminUrl, database),
          ECLP_GATEWAY_URL: 'http://127.0.0.1:9/routerjson',
          PORT: String(await freePort()),
          // The API refuses these tokens at start: one token for two roles.
          API_TOKENS: 'erp:same-token-0123456789,operator:same-token-0123456789',
        },
        childOutput: 'ignore',
        log: (line) => lines.push(line),
      }),
    ).rejects.toBeInstanceOf(ConfigurationError);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^api exited \(code 78\)$/), expect.stringMatching(/api refuses its configuration/)]));
    expect(lines.filter((line) => /restarting api/.test(line))).toEqual([]);
  }, 60_000);
});
