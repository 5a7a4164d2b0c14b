import type { EclpMerchant } from '../config';
import type { Gateway } from '../gateway';

/** What every API function needs: a way to call JD, and who we are there (sent on create calls). */
export interface ApiContext {
  gateway: Gateway;
  merchant: EclpMerchant;
}
