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

/** `name: violation | violation` for each invariant that does not hold (what a test expects to be empty). */
export const failedInvariants = (results: ReadonlyArray<Pick<InvariantResult, 'name' | 'ok' | 'violations'>>) => results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.violations.join(' | ')}`);

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

export const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

/** Adds `n` to `key`'s total. */
export function addTo<K>(totals: Map<K, number>, key: K, n: number): Map<K, number> {
  return totals.set(key, (totals.get(key) ?? 0) + n);
}

/** Every key of either map, sorted. */
export const keysOf = (...maps: ReadonlyArray<ReadonlyMap<string, number>>) => [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();

/** The keys whose quantities differ between `ours` and `theirs` (a missing key counts 0), sorted, with both. */
export function differing(ours: ReadonlyMap<string, number>, theirs: ReadonlyMap<string, number>): Array<{ key: string; ours: number; theirs: number }> {
  return keysOf(ours, theirs)
    .map((key) => ({ key, ours: ours.get(key) ?? 0, theirs: theirs.get(key) ?? 0 }))
    .filter((d) => d.ours !== d.theirs);
}

/** A stock_ledger row as the checks read it. */
export interface LedgerEntryRow {
  warehouseCode: string;
  sku: string;
  /** The document's number (doc_type PO: the PO, RTN: the return). */
  docNo: string;
  docRevision: number;
  /** Which booking of the revision (a PO receipt's seq; 0 for documents booked once). */
  entryNo: number;
  quantity: number;
}

/** A receipt line the ledger must book, or a ledger row, under the same key (document, booking, SKU). */
export interface Booking {
  key: string;
  quantity: number;
  revision: number;
  warehouseCode: string;
}

/**
 * The stock ledger books each receipt line (`label` names it) exactly once, with its quantity, revision and
 * warehouse, and nothing without a receipt line.
 */
export function bookingViolations(lines: ReadonlyArray<Booking & { label: string }>, rows: readonly Booking[]): string[] {
  const byKey = new Map(lines.map((l) => [l.key, l]));
  const booked = new Map<string, Booking[]>();
  for (const row of rows) booked.set(row.key, [...(booked.get(row.key) ?? []), row]);
  const twice = [...booked].filter(([, r]) => r.length > 1).map(([k, r]) => `${k}: ${r.length} rows (${r.map((x) => x.quantity).join(' + ')})`);
  const unbooked = lines.filter((l) => !booked.has(l.key)).map((l) => l.label);
  const noReceipt: string[] = [];
  const differs: string[] = [];
  for (const [k, r] of booked) {
    const line = byKey.get(k);
    if (!line) {
      noReceipt.push(`${k}: ${r.map((x) => x.quantity).join(' + ')}`);
      continue;
    }
    const row = r[0]!;
    if (row.quantity !== line.quantity || row.revision !== line.revision || row.warehouseCode !== line.warehouseCode) {
      differs.push(`${k}: ledger ${row.warehouseCode} r${row.revision} ${row.quantity}, receipt ${line.warehouseCode} r${line.revision} ${line.quantity}`);
    }
  }
  return [
    ...examples(twice, 'receipt lines booked more than once'),
    ...examples(unbooked, 'receipt lines without a ledger row'),
    ...examples(noReceipt, 'ledger rows without a receipt line'),
    ...examples(differs, 'ledger rows that differ from their receipt line'),
  ];
}

/** One push over the wire (scripts/chaos/jd-wire.ts), by our number for the document at JD. */
export interface WirePush {
  key: string;
  sentAt: number;
  endedAt: number;
  /** 0: the connection was dropped without an answer. */
  httpStatus: number;
}

/**
 * The pushes against the moment JD stored each document: numbers sent again after JD held them (a JD that
 * did not de-duplicate would hold two), and pushes JD executed without the worker learning it.
 */
export function wireAgainstJd(pushes: readonly WirePush[], acceptedAt: ReadonlyMap<string, number>): { resent: Map<string, number>; ambiguous: number } {
  const resent = new Map<string, number>();
  let ambiguous = 0;
  for (const push of pushes) {
    const at = acceptedAt.get(push.key);
    if (at === undefined) continue;
    if (push.sentAt > at) addTo(resent, push.key, 1);
    else if (push.httpStatus === 0 && at <= push.endedAt) ambiguous += 1;
  }
  return { resent, ambiguous };
}

export interface WorkflowRow {
  workflowId: string;
  /** Temporal's execution status name: RUNNING, COMPLETED, FAILED, TERMINATED, TIMED_OUT, CANCELLED, … */
  status: string;
}

/** Runs that ended otherwise than by completing: a saga that died (a bug, a timeout, an operator's terminate). */
export const brokenRuns = (workflows: readonly WorkflowRow[]) => workflows.filter((w) => w.status !== 'RUNNING' && w.status !== 'COMPLETED').map((w) => `${w.workflowId} ${w.status}`);

/** `N workflow runs: COMPLETED n, RUNNING m`. */
export const runsFigure = (workflows: readonly WorkflowRow[]) => `${workflows.length} workflow runs: ${tally(countBy(workflows, (w) => w.status))}`;

/** What the "terminal or correctly waiting" checks found, each as examples naming the documents (`noun`). */
export function settledViolations(noun: string, found: { stuck: readonly string[]; disagree?: readonly string[]; wrongRun: readonly string[] }, workflows: readonly WorkflowRow[]): string[] {
  return [
    ...examples(found.stuck, `${noun} not settled`),
    ...examples(found.disagree ?? [], `${noun} whose end JD does not share`),
    ...examples(found.wrongRun, `${noun} whose workflow run does not match their state`),
    ...examples(brokenRuns(workflows), 'runs that failed, timed out or were terminated'),
  ];
}

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
