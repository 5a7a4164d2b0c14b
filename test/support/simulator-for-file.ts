// A JD simulator for one test file, and the raw signed calls tests of its wire answers make. Started on
// a free port before the file's tests, reset before each (the file's own beforeEach runs after, on a
// clean simulator), closed after. Registers jest hooks: for test files only.
import { envelopeKey } from '../../eclp/protocol';
import { callJd } from '../../simulator/jd-call';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../simulator/server';
import { MANUAL_TIMELINE } from '../../simulator/timeline';
import { simControl, type ControlAnswer } from './simulator';
import { eventually } from './timing';

type Row = Record<string, unknown>;

export interface JdErrorAnswer {
  code: string;
  zh_desc: string;
  en_desc: string;
}

export interface SimulatorForFile {
  /** The running simulator (after the file's beforeAll). */
  readonly sim: RunningSimulator;
  /** One control request, answered as it is. */
  control(method: string, path: string, body?: unknown, rawBody?: string): Promise<ControlAnswer>;
  /** A control POST that must answer 200 (a manual warehouse move); its body. */
  move(path: string, body?: unknown): Promise<Row>;
  /** A signed JD call answered over HTTP 200; its whole body. */
  raw(method: string, business: Row): Promise<Row>;
  /** A signed JD call that must succeed; its result fields. */
  jd(method: string, business: Row): Promise<Row>;
  /** A signed JD call that must be refused; JD's error_response. */
  jdError(method: string, business: Row): Promise<JdErrorAnswer>;
  /**
   * Resolves once the simulator has no timeline stage left to run: "nothing more happens" asserted without
   * a pause, which a stage firing later than the pause would pass by luck.
   */
  nothingScheduled(): Promise<number>;
}

/** Default: a free port and the manual timeline (documents move only when a test moves them). */
export function simulatorForFile(options: SimulatorOptions = {}): SimulatorForFile {
  let running: RunningSimulator | undefined;
  beforeAll(async () => {
    running = await startSimulator({ port: 0, timeline: MANUAL_TIMELINE, ...options });
  });
  afterAll(async () => {
    await running?.close();
  });
  beforeEach(async () => {
    expect((await file.control('POST', '/_sim/reset')).status).toBe(204);
  });

  const file: SimulatorForFile = {
    get sim() {
      if (!running) throw new Error('the simulator starts in beforeAll');
      return running;
    },
    control: (method, path, body, rawBody) => simControl(file.sim.url, method, path, body, rawBody),
    async move(path, body = {}) {
      const answer = await file.control('POST', path, body);
      if (answer.status !== 200) throw new Error(`${path} → ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body as Row;
    },
    async raw(method, business) {
      const answer = await callJd(file.sim.gatewayUrl, method, business);
      expect(answer.status).toBe(200);
      return answer.body as Row;
    },
    async jd(method, business) {
      const body = await file.raw(method, business);
      const result = body[envelopeKey(method)] as Row | undefined;
      if (!result) throw new Error(`${method} failed: ${JSON.stringify(body)}`);
      expect(result.code).toBe('0');
      return result;
    },
    async jdError(method, business) {
      const body = await file.raw(method, business);
      expect(Object.keys(body)).toEqual(['error_response']);
      return body.error_response as JdErrorAnswer;
    },
    nothingScheduled: () => eventually(() => file.sim.operations.pendingStages, (n) => n === 0, { what: 'no simulator stage left scheduled' }),
  };
  return file;
}
