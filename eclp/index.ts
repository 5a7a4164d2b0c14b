// Public surface of the ECLP client. Activities import from here, not from the files behind it.
export { createEclpClient, type EclpClient, type EclpClientOptions } from './client';
export type { EclpLogger, EclpCallLog, FetchLike, CredentialOutcome } from './gateway';
export { authorizeUrl, exchangeCode, refreshToken, JdOAuthRefusedError, JD_OAUTH_SCOPE, type JdOAuthConfig, type JdTokenGrant, type OAuthCallOptions } from './oauth';
export {
  EclpError,
  EclpTransportError,
  EclpBackendBusyError,
  EclpQuotaError,
  EclpConfigurationError,
  EclpBusinessError,
  EclpValidationError,
  NON_RETRYABLE_ECLP_ERROR_TYPES,
  isEclpError,
  type EclpErrorKind,
  type EclpErrorDetails,
  type TransportFailure,
} from './errors';
export { isAlreadyExistsRefusal } from './classify';
export { EclpMethod } from './methods';
export {
  SoStatus,
  PoStatus,
  RtwStatus,
  CancelResultCode,
  ClosePoResultCode,
  GoodsLevel,
  SerialBillType,
  CANCELLABLE_SO_STATUSES,
  describeSoStatus,
  describePoStatus,
  describeRtwStatus,
  salesOrderProgress,
  type StatusInfo,
  type SoStatusCode,
  type PoStatusCode,
  type RtwStatusCode,
  type GoodsLevelCode,
  type SoStatusName,
  type PoStatusName,
  type RtwStatusName,
  type SoHistoryEntry,
  type SoProgress,
  type SoProgressInput,
} from './status';
export { collect, type Page, DEFAULT_PAGE_SIZE } from './paging';
export { MAX_BATCH_NUMBERS, type GoodsReference } from './fields';
export type { JdCancelResult } from './api/cancel';
/** JD's `yyyy-MM-dd HH:mm:ss` (Beijing time) as a Date. */
export { parseTimestamp as parseJdTimestamp } from './protocol';
export type { GoodsInfoInput, GoodsInfoResult } from './api/goods';
export type { AddPoOrderInput, AddPoOrderResult, GoodsQuality, JdClosePoResult, PoLineInput, PoLineState, PoSerialInput, PoSerialResult, PurchaseOrderState } from './api/purchase-orders';
export { SALES_ORDER_DEFAULTS } from './api/sales-orders';
export type {
  AddOrderInput,
  AddOrderResult,
  Consignee,
  SalesOrderDetail,
  SalesOrderHistoryEntry,
  SalesOrderLineInput,
  SalesOrderLineState,
  SalesOrderPackage,
  SubmittedSalesOrder,
} from './api/sales-orders';
export type { CancelRtwInput, OrderChannel, QueryRtwInput, ReturnLineState, ReturnState, RtwLineInput, TransportRtwInput, TransportRtwResult } from './api/returns';
export type { BillSerial, BillSerialPageRequest, BillSerialQuery, DocumentSerial, InStockSerialPageRequest, InStockSerialQuery } from './api/serials';
export type { StockPageRequest, StockQuery, StockRow, StockType } from './api/stock';
export { eclpConfigFromEnv, credentialsFromEnv, usesDevCredentials, DEV_CREDENTIALS, DEV_MERCHANT, type EclpConfig, type EclpCredentials, type EclpMerchant } from './config';
export {
  staticTokenProvider,
  oauthUrlFromEnv,
  oauthRedirectUriFromEnv,
  decodeTokenKey,
  DEV_TOKEN_KEY_HEX,
  JD_OAUTH_PRODUCTION_URL,
  type AccessTokenProvider,
} from './config';
