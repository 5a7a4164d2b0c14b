// A local ERP webhook endpoint for end-to-end tests: it answers 204 and keeps every event it received.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedEvent {
  type: string;
  /** The `webhook-id` header: the event id, the same across retries and redeliveries. */
  id: string;
  data: Record<string, unknown>;
}

export interface WebhookReceiver {
  url: string;
  events: ReceivedEvent[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const events: ReceivedEvent[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; data: Record<string, unknown> };
      events.push({ type: body.type, id: String(req.headers['webhook-id']), data: body.data });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/erp/hooks`, events, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
