// How a simulated JD call or a /_sim/ control request fails.
//
// JD side: eclp-api.md has no codes for ECLP business failures, so both codes are our assumption [G]:
// 61 (JD's "参数值不合法" gateway code) for a field value JD refuses, 1000 for an ECLP business-rule
// rejection. gateway.ts turns a BusinessError into JD's error_response envelope.
//
// Control side: UnknownDocument and MoveRefused are raised by the document models when a warehouse move is
// asked for a number that does not exist or from a status that does not allow it; control.ts answers them
// with 404 and 409, the timeline simply skips the move.

export type BusinessErrorCode = '61' | '1000';

export class BusinessError extends Error {
  constructor(
    readonly code: BusinessErrorCode,
    readonly zhDesc: string,
    readonly enDesc: string,
  ) {
    super(enDesc);
    this.name = 'BusinessError';
  }

  static missing(field: string): BusinessError {
    return new BusinessError('61', `参数${field}不能为空`, `Missing parameter ${field}`);
  }

  static invalid(field: string, zhReason: string, enReason: string): BusinessError {
    return new BusinessError('61', `参数${field}值不合法：${zhReason}`, `Invalid value of ${field}: ${enReason}`);
  }

  static rejected(zhDesc: string, enDesc: string): BusinessError {
    return new BusinessError('1000', zhDesc, enDesc);
  }
}

export class UnknownDocument extends Error {
  constructor(what: string, number: string) {
    super(`${what} ${number} does not exist`);
    this.name = 'UnknownDocument';
  }
}

export class MoveRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoveRefused';
  }
}
