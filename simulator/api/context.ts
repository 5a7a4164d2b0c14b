import type { Operations } from '../operations';
import type { BusinessParams } from '../params';
import type { SimulatorState } from '../state';

export interface ApiContext {
  state: SimulatorState;
  ops: Operations;
}

/** The result fields that go next to `code: "0"` inside the `_responce` envelope. */
export type ApiResult = Record<string, unknown>;

/** One JD API: parsed business params in, result fields out, or a thrown BusinessError. */
export type ApiHandler = (params: BusinessParams, ctx: ApiContext) => ApiResult;
