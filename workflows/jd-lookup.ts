// Placeholder wired by the integrator (issue 12); its owner replaces this file.
export async function jdLookup(_input: unknown): Promise<unknown> {
  throw new Error('jdLookup: not built yet');
}
