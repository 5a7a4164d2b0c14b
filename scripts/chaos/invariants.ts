// The shape of an invariant's verdict, the helpers every document type's checks are written with (tallies,
// requests against their records, runs that broke), and the invariants every run shares: the API stays
// available — no 5xx outside the restart windows, and inside them only 503 problem+json with Retry-After —
// and no process died by itself.
import type { ApiExchange } from '../../test/support/api-client';
import type { RestartWindow, UnexpectedExit } from './disruptions';

export interface InvariantResult {
  name: string;
  ok: boolean;
  /** The measured figures, one line each, printed whether it passed or not. */
  figures: string[];
  /** What broke it, a few examples each (the count is in the figures). */
  violations: string[];
}

/** At most this many examples per kind of violation are listed. */
export const EXAMPLES = 5;

export function examples(items: readonly string[], what: string): string[] {
  if (items.length === 0) return [];
  const shown = items.slice(0, EXAMPLES);
  return [`${items.length} ${what}${items.length > EXAMPLES ? ` (first ${EXAMPLES})` : ''}: ${shown.join('; ')}`];
}

export function invariant(name: string, figures: string[], violations: string[]): InvariantResult {
  return { name, ok: violations.length === 0, figures, violations };
}

export function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** `A 3, B 1`, sorted by key, or `none`. */
export const tally = (counts: Map<string, number>) =>
  [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';

/** The reverse of a number map (JD's number → ours). */
export const reverse = (map: ReadonlyMap<string, string>) => new Map([...map].map(([ours, jd]) => [jd, ours]));

export interface WorkflowRow {
  workflowId: string;
  /** Temporal's execution status name: RUNNING, COMPLETED, FAILED, TERMINATED, TIMED_OUT, CANCELLED, … */
  status: string;
}

/** Runs that ended otherwise than by completing: a saga that died (a bug, a timeout, an operator's terminate). */
export const brokenRuns = (workflows: readonly WorkflowRow[]) => workflows.filter((w) => w.status !== 'RUNNING' && w.status !== 'COMPLETED').map((w) => `${w.workflowId} ${w.status}`);

/** A request as the script sent it (scripts/chaos/script.ts sendRequest); the invariants compare it with what the run recorded. */
export interface RequestSent {
  requestId: string;
  /** Epoch ms the first attempt was sent. */
  sentAt: number;
  /** The final HTTP status the API gave (after retries through outages); undefined when the script gave up. */
  answer?: number;
  /** The verdict in a 200 answer. */
  verdict?: string;
  /** The problem's `reason` in a 409 answer (`already-shipped`, `push-unconfirmed`, …). */
  reason?: string;
}

/** A request the script sent with an id of its own, as the request-record check sees it. */
export interface SentRequest {
  requestId: string;
  /** How a violation names it: kind, document, id, the answer it got. */
  label: string;
  /** The final HTTP status (after retries through outages); undefined when the script gave up. */
  answer?: number;
  /** The verdict in a 200 answer. */
  verdict?: string;
}

/** A request as the run recorded it (cancel_requests, purchase_order_requests). */
export interface RecordedRequest {
  requestId: string;
  label: string;
  verdict: string | null;
}

/**
 * Every request the API took has a recorded verdict, a 200's verdict is the recorded one, and nothing is
 * recorded that the script did not send. A 409 the API judged from Postgres alone reached no run, so it
 * may leave no record.
 */
export function requestRecordViolations(sent: readonly SentRequest[], recorded: readonly RecordedRequest[]): string[] {
  const rows = new Map(recorded.map((row) => [row.requestId, row]));
  const ids = new Set(sent.map((r) => r.requestId));
  const noOutcome: string[] = [];
  const contradicts: string[] = [];
  for (const request of sent) {
    const row = rows.get(request.requestId);
    if (row && !row.verdict) noOutcome.push(`${request.label}: recorded without a verdict`);
    if (!row && request.answer !== 409) noOutcome.push(`${request.label}: no record`);
    if (row?.verdict && request.verdict && row.verdict !== request.verdict) contradicts.push(`${request.label}: API said ${request.verdict}, record says ${row.verdict}`);
  }
  const unsent = recorded.filter((row) => !ids.has(row.requestId)).map((row) => row.label);
  return [
    ...examples(noOutcome, 'requests without an outcome'),
    ...examples(contradicts, 'recorded verdicts that contradict the API\'s answer'),
    ...examples(unsent, 'recorded requests the script never sent'),
  ];
}

/** Every answer was one the API documents for what was asked; `surprises` are the others, as the script wrote them down. */
export function checkAnswers(surprises: readonly string[], documents = ''): InvariantResult {
  return invariant(
    `every API answer${documents ? ` about ${documents}` : ''} is one the contract allows for the request`,
    [`${surprises.length} answers outside the contract`],
    examples(surprises, 'unexpected answers'),
  );
}

const overlaps = (e: ApiExchange, w: RestartWindow) => e.sentAt <= w.to && e.endedAt >= w.from;

function describe(e: ApiExchange, t0: number): string {
  const when = `t+${((e.sentAt - t0) / 1000).toFixed(1)}s`;
  const what = e.status === 0 ? `no answer (${e.failure})` : `${e.status} ${e.contentType ?? 'no content type'}${e.retryAfter ? `, Retry-After ${e.retryAfter}` : ''}`;
  return `${e.method} ${e.route} at ${when}: ${what}`;
}

/**
 * Every exchange that overlaps a restart window may be a 503 — with problem+json and Retry-After, so the
 * ERP knows to come back. Anything else 5xx, and any request left without an answer, breaks it.
 */
export function checkApiAvailability(exchanges: readonly ApiExchange[], windows: readonly RestartWindow[], abandoned: number, t0: number): InvariantResult {
  // An answer belongs to the window it came back in, else to the one its request was sent in.
  const inWindow = (e: ApiExchange) => windows.find((w) => e.endedAt >= w.from && e.endedAt <= w.to) ?? windows.find((w) => overlaps(e, w));
  const outsideFailures: string[] = [];
  const badOutage: string[] = [];
  const noAnswer: string[] = [];
  const perWindow = new Map<RestartWindow, number>(windows.map((w) => [w, 0]));
  for (const e of exchanges) {
    if (e.status === 0) {
      noAnswer.push(describe(e, t0));
      continue;
    }
    if (e.status < 500) continue;
    const window = inWindow(e);
    if (!window) {
      outsideFailures.push(describe(e, t0));
      continue;
    }
    perWindow.set(window, (perWindow.get(window) ?? 0) + 1);
    const wellFormed = e.status === 503 && e.contentType?.startsWith('application/problem+json') && e.retryAfter !== undefined && e.retryAfter !== '';
    if (!wellFormed) badOutage.push(describe(e, t0));
  }
  const answered = exchanges.filter((e) => e.status !== 0);
  const slowest = (list: readonly ApiExchange[]) => {
    const top = list.reduce<ApiExchange | undefined>((max, e) => (!max || e.endedAt - e.sentAt > max.endedAt - max.sentAt ? e : max), undefined);
    return top ? `${((top.endedAt - top.sentAt) / 1000).toFixed(1)} s (${top.method} ${top.route} → ${top.status || 'no answer'})` : 'n/a';
  };
  const byClass = (lo: number) => answered.filter((e) => e.status >= lo && e.status < lo + 100).length;
  const figures = [
    `${exchanges.length} requests: ${byClass(200)} 2xx, ${byClass(400)} 4xx, ${byClass(500)} 5xx, ${noAnswer.length} without an answer`,
    ...windows.map((w) => `${w.kind} window t+${((w.from - t0) / 1000).toFixed(1)}s…t+${((w.to - t0) / 1000).toFixed(1)}s: ${perWindow.get(w)} 5xx answers (each must be 503 problem+json with Retry-After)`),
    `5xx outside the windows: ${outsideFailures.length}; calls abandoned after retrying through an outage: ${abandoned}`,
    `slowest answer inside the windows ${slowest(exchanges.filter((e) => inWindow(e)))}, outside ${slowest(exchanges.filter((e) => !inWindow(e)))}`,
  ];
  const violations = [
    ...examples(outsideFailures, '5xx outside the restart windows'),
    ...examples(badOutage, 'outage answers that are not 503 problem+json with Retry-After'),
    ...examples(noAnswer, 'requests without an answer'),
    ...(abandoned > 0 ? [`${abandoned} calls abandoned: the API kept failing for minutes`] : []),
  ];
  return invariant('API: no 5xx outside restart windows; inside them 503 problem+json with Retry-After', figures, violations);
}

/**
 * A worker or the API that died without being killed by the run is a crash the storm provoked: the run
 * restarts it so the rest can still be judged, but the crash itself fails the run.
 */
export function checkNoUnexpectedExits(exits: readonly UnexpectedExit[], t0: number): InvariantResult {
  const described = exits.map((e) => `${e.name} at t+${((e.at - t0) / 1000).toFixed(1)}s (${e.exit})`);
  return invariant('no worker or API process exited unless the run killed it', [`${exits.length} unexpected exits`], examples(described, 'processes that exited by themselves'));
}
