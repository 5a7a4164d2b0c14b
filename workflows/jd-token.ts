// Placeholder wired by the integrator (issue 12); its owner replaces this file.
export async function jdTokenRefresher(_input: unknown): Promise<unknown> {
  throw new Error('jdTokenRefresher: not built yet');
}
export async function jdAuthorisation(_input: unknown): Promise<unknown> {
  throw new Error('jdAuthorisation: not built yet');
}
