// The webhookRedelivery workflow's contract: an operator sends an ERP webhook event that gave up once more.

export interface WebhookRedeliveryInput {
  eventId: string;
  /** Which redelivery of the event this is (1, 2, …); the record ignores a give-up from an older one. */
  redelivery: number;
}

export type WebhookRedeliveryResult = { eventId: string; redelivery: number; status: 'delivered' } | { eventId: string; redelivery: number; status: 'failed'; error: string };
