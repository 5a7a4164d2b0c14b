// A recording pass-through in front of the simulator's gateway: the worker talks to JD through it, and
// it notes every push — addOrder with its isvUUID, addPoOrder with its spPoOrderNo, transportRtw with its
// isvRtwNum — and when it was sent
// and answered. The simulator de-duplicates (or refuses) a repeated number, so its state can never show a
// second JD document; only the wire shows that a push was sent again after JD already held it — which a
// JD that does not de-duplicate would turn into a second order — and which pushes JD executed without
// the worker learning it. Nothing but the document's number is kept: the calls carry consignee data and
// the token.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const ADD_ORDER = 'jingdong.eclp.order.addOrder';
export const ADD_PO_ORDER = 'jingdong.eclp.po.addPoOrder';
export const TRANSPORT_RTW = 'jingdong.eclp.rtw.transportRtw';

/** The pushes recorded, and the business parameter that is our number for the document at JD. */
const RECORDED: Readonly<Record<string, string>> = { [ADD_ORDER]: 'isvUUID', [ADD_PO_ORDER]: 'spPoOrderNo', [TRANSPORT_RTW]: 'isvRtwNum' };

/** One push over the wire. */
export interface JdPushCall {
  method: string;
  /** Our number for the document at JD: isvUUID (addOrder), spPoOrderNo (addPoOrder), isvRtwNum (transportRtw). */
  key: string;
  /** Epoch ms the request reached the recorder (before it went on to JD). */
  sentAt: number;
  /** Epoch ms JD's answer came back, or the connection was lost. */
  endedAt: number;
  /** JD's HTTP status, or 0 when the connection was dropped without an answer (e.g. timeoutAfterCommit). */
  httpStatus: number;
}

/** An addOrder as the sales-order invariants read it. */
export interface AddOrderCall {
  isvUUID: string;
  sentAt: number;
  endedAt: number;
  httpStatus: number;
}

export interface JdWire {
  /** The URL to give the worker as ECLP_GATEWAY_URL. */
  gatewayUrl: string;
  /** Every push of `method` (ADD_ORDER, ADD_PO_ORDER, TRANSPORT_RTW) that went over the wire. */
  pushes(method: string): JdPushCall[];
  close(): Promise<void>;
}

/** method and our document number of a JOS call, whether the SDK put them in the query or the form body. */
function identify(url: string, body: string): { method?: string; key?: string } {
  const params = new URLSearchParams(url.split('?')[1] ?? '');
  for (const [name, value] of new URLSearchParams(body)) params.set(name, value);
  const method = params.get('method') ?? undefined;
  const field = method === undefined ? undefined : RECORDED[method];
  if (field === undefined) return { method };
  try {
    const business = JSON.parse(params.get('360buy_param_json') ?? '{}') as Record<string, unknown>;
    const key = business[field];
    return { method, key: typeof key === 'string' ? key : undefined };
  } catch {
    return { method };
  }
}

export async function startJdWire(targetGatewayUrl: string): Promise<JdWire> {
  const target = new URL(targetGatewayUrl);
  const calls: JdPushCall[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const sentAt = Date.now();
      const { method, key } = identify(req.url ?? '', body.toString('utf8'));
      const note = (httpStatus: number) => {
        if (method !== undefined && key !== undefined) calls.push({ method, key, sentAt, endedAt: Date.now(), httpStatus });
      };
      const upstream = http.request(
        // Same path as JD's: the recorder listens on the gateway's own path.
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            note(answer.statusCode ?? 0);
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(parts));
          });
          answer.on('aborted', () => {
            note(0);
            req.socket.destroy();
          });
        },
      );
      // JD dropped the connection (timeoutAfterCommit): so must we, or the worker would see another failure.
      upstream.on('error', () => {
        note(0);
        req.socket.destroy();
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    gatewayUrl: `http://127.0.0.1:${port}${target.pathname}`,
    pushes: (method) => calls.filter((c) => c.method === method).map((c) => ({ ...c })),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
