// A setting an operator must fix. Processes exit with EXIT_CONFIGURATION on it, and the `npm start`
// launcher then stops instead of restarting a process that can only fail the same way again.

/** EX_CONFIG from sysexits.h. */
export const EXIT_CONFIGURATION = 78;

export class ConfigurationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0] : `the configuration has ${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

/** Loopback by its parsed host name (a host like `localhost.evil.example` is not). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}
