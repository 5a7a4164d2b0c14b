// How the global setup hands the shared servers to test files: jest runs globalSetup in its own
// context, so only environment variables reach the test workers.
export const HARNESS_ENV = {
  /** host:port of the run's Temporal dev server. */
  temporalAddress: 'TEMPORAL_TEST_ADDRESS',
  temporalNamespace: 'TEMPORAL_TEST_NAMESPACE',
  /** The Temporal CLI the run uses, for tests that call it (e.g. `temporal workflow show`). */
  temporalCliPath: 'TEMPORAL_TEST_CLI_PATH',
  /** A superuser URL of the run's Postgres server; each test file creates its own database there. */
  databaseAdminUrl: 'TEST_DATABASE_ADMIN_URL',
  /** A directory of the run's, where the first test file that needs the workflows/ bundle leaves it for the others. */
  workflowBundleDir: 'TEST_WORKFLOW_BUNDLE_DIR',
} as const;

export interface HarnessSettings {
  temporalAddress: string;
  temporalNamespace: string;
  temporalCliPath: string;
  databaseAdminUrl: string;
}

export function harnessSettings(env: NodeJS.ProcessEnv = process.env): HarnessSettings {
  const read = (name: string) => {
    const value = env[name];
    if (!value) {
      throw new Error(`${name} is not set: test/harness/global-setup.ts did not run. Run tests through jest with jest.config.js (npx jest).`);
    }
    return value;
  };
  return {
    temporalAddress: read(HARNESS_ENV.temporalAddress),
    temporalNamespace: read(HARNESS_ENV.temporalNamespace),
    temporalCliPath: read(HARNESS_ENV.temporalCliPath),
    databaseAdminUrl: read(HARNESS_ENV.databaseAdminUrl),
  };
}
