// Talking to the JD simulator from tests, the bench and the chaos run: signed JD calls through its
// gateway, and its control API (/_sim/: timeline, manual warehouse moves, faults, call counters, state).
import { envelopeKey } from '../../eclp/protocol';
import { callJd } from '../../simulator/jd-call';
import type { StateSnapshot } from '../../simulator/state';
import type { TimelinePatch } from '../../simulator/timeline';
import { httpError } from './http';

type Row = Record<string, unknown>;

/** The result fields of a successful signed JD call; throws with JD's answer otherwise. */
export async function jdResult(gatewayUrl: string, method: string, business: Row): Promise<Row> {
  const answer = await callJd(gatewayUrl, method, business);
  const result = (answer.body as Row)[envelopeKey(method)] as Row | undefined;
  if (!result) throw new Error(`${method} failed: ${answer.text}`);
  return result;
}

export interface ControlAnswer {
  status: number;
  /** The JSON body; undefined when empty. */
  body: unknown;
}

/**
 * One request to the control API, answered as it is (the status is for the caller to judge). `path`
 * includes `/_sim`; `rawBody` is sent as is instead of `body` (for malformed JSON). A body that is not
 * JSON fails the call: the control API answers JSON or nothing.
 */
export async function simControl(simulatorUrl: string, method: string, path: string, body?: unknown, rawBody?: string): Promise<ControlAnswer> {
  const payload = rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
  const response = await fetch(`${simulatorUrl}${path}`, {
    method,
    ...(payload !== undefined && { headers: { 'content-type': 'application/json' }, body: payload }),
  });
  const text = await response.text();
  if (text === '') return { status: response.status, body: undefined };
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    throw new Error(`${method} ${path} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
}

export interface SimStats {
  total: number;
  byMethod: Record<string, number>;
}

export interface SimFault {
  id: string;
  kind: string;
  fired: number;
}

/** The control API for callers that only expect success: each method throws an HttpError otherwise. */
export class SimControl {
  constructor(readonly baseUrl: string) {}

  /** `path` is below `/_sim/` (`stats`, `sales-orders/ESL…/pick`). */
  async control<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await simControl(this.baseUrl, method, `/_sim/${path}`, body);
    if (answer.status >= 400) throw httpError(`simulator ${method} /_sim/${path}`, answer.status, answer.body);
    return answer.body as T;
  }

  stats(): Promise<SimStats> {
    return this.control('GET', 'stats');
  }

  async resetStats(): Promise<void> {
    await this.control('POST', 'stats/reset');
  }

  timeline(): Promise<Required<TimelinePatch>> {
    return this.control('GET', 'timeline');
  }

  setTimeline(patch: TimelinePatch): Promise<Required<TimelinePatch>> {
    return this.control('PUT', 'timeline', patch);
  }

  /** A manual warehouse move (`pick`, `pack`, `ship`, `cancel`, …) of a sales order. */
  async moveSalesOrder(eclpSoNo: string, move: string, body: object = {}): Promise<void> {
    await this.control('POST', `sales-orders/${encodeURIComponent(eclpSoNo)}/${move}`, body);
  }

  async injectFault(spec: object): Promise<void> {
    await this.control('POST', 'faults', spec);
  }

  faults(): Promise<SimFault[]> {
    return this.control('GET', 'faults');
  }

  async clearFaults(): Promise<void> {
    await this.control('DELETE', 'faults');
  }

  state(): Promise<StateSnapshot> {
    return this.control('GET', 'state');
  }
}
