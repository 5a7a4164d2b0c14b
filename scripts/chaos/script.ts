// What every document's script in the chaos run does the same way, as an ERP or an operator would: start
// at its planned moment, send a request under an id of its own (so a retry through an outage is never
// taken twice), follow a document until it gets somewhere, and write down answers the API contract does
// not allow.
import type { ApiAnswer, ApiClient, Role } from '../../test/support/api-client';
import { sleep } from '../../test/support/timing';
import type { RequestSent } from './invariants';

/** POSTs `body` and notes on `request` what came back: the status, a 200's verdict, a 409's reason. */
export async function sendRequest(api: ApiClient, role: Role, route: string, path: string, body: object, request: RequestSent): Promise<ApiAnswer> {
  const answer = await api.send(role, 'POST', route, path, body);
  request.answer = answer.status;
  if (answer.status === 200) request.verdict = (answer.body as { verdict?: string }).verdict;
  else if (answer.status === 409) request.reason = (answer.body as { reason?: string }).reason;
  return answer;
}

/** How an answer outside the contract is written down: the document, what was asked, and what came back. */
export function surprise(docNo: string, what: string, answer: ApiAnswer): string {
  const body = answer.body as { type?: string; reason?: string; detail?: string } | undefined;
  return `${docNo} ${what}: HTTP ${answer.status} ${body?.reason ?? body?.type ?? ''} ${body?.detail ?? ''}`.trim();
}

/** Reads until `done` holds or `timeoutMs` has passed; the last value read and whether it got there. */
export async function follow<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, intervalMs = 1_000): Promise<{ value: T; reached: boolean }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return { value, reached: true };
    if (Date.now() > deadline) return { value, reached: false };
    await sleep(intervalMs);
  }
}

/**
 * Runs each plan's script at `t0 + startMs`, all at once; resolves when every one is done. A script that
 * throws is handed to `failed` (the journal's surprises), never left to reject the load.
 */
export async function runScripts<P extends { startMs: number }>(plans: readonly P[], t0: number, run: (plan: P) => Promise<void>, failed: (plan: P, err: Error) => void): Promise<void> {
  await Promise.all(
    plans.map(async (plan) => {
      await sleep(Math.max(0, t0 + plan.startMs - Date.now()));
      await run(plan).catch((err: unknown) => failed(plan, err instanceof Error ? err : new Error(String(err))));
    }),
  );
}
