// Placeholder wired by the integrator (issue 12); its owner replaces this file.
export async function stockReconciliation(_input: unknown): Promise<unknown> {
  throw new Error('stockReconciliation: not built yet');
}
export async function stockReconciliationRound(_input: unknown): Promise<unknown> {
  throw new Error('stockReconciliationRound: not built yet');
}
