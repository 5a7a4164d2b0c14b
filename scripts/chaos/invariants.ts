// The shape of an invariant's verdict, and the one invariant every document type shares: the API stays
// available — no 5xx outside the restart windows, and inside them only 503 problem+json with Retry-After.
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
