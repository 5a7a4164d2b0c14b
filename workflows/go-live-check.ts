// Placeholder wired by the integrator (issue 12); its owner replaces this file.
export async function goLiveCheck(_input: unknown): Promise<unknown> {
  throw new Error('goLiveCheck: not built yet');
}
