import { redactText } from '../log/redact';

/** A request we refused to send because a field breaks a documented limit. */
export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
  constructor(
    readonly operation: string,
    /** Dotted path of the offending field, e.g. `base_info.name`. */
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${operation}: invalid ${field}: ${reason}`);
  }
}

/** Configuration that cannot work (missing credentials, bad endpoint, bad RESTORE_CHAINS). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    /** The environment variable or config field that is wrong. */
    readonly field: string,
    readonly reason: string,
  ) {
    super(`invalid configuration ${field}: ${reason}`);
  }
}

export type ApiErrorKind =
  /** The service answered with an error status. */
  | 'http'
  /** The connection failed or dropped before an answer arrived. */
  | 'network'
  /** No answer within the request timeout or the call's time budget. */
  | 'timeout'
  /** The service answered 2xx but the body lacks a documented required field. */
  | 'response-shape';

export interface HuaweiApiErrorDetails {
  operation: string;
  kind: ApiErrorKind;
  status?: number;
  errorCode?: string;
  errorMsg?: string;
  requestId?: string;
  attempts?: number;
  cause?: unknown;
}

/**
 * Every failure of a call to Huawei Cloud. Carries what on-call needs to look the call up
 * (operation, status, error_code, request id) and never credentials: messages pass through redaction.
 */
export class HuaweiApiError extends Error {
  override readonly name = 'HuaweiApiError';
  readonly operation: string;
  readonly kind: ApiErrorKind;
  readonly status: number | undefined;
  readonly errorCode: string | undefined;
  readonly errorMsg: string | undefined;
  readonly requestId: string | undefined;
  readonly attempts: number;

  constructor(details: HuaweiApiErrorDetails) {
    const errorMsg = details.errorMsg === undefined ? undefined : redactText(details.errorMsg);
    const parts = [
      details.status === undefined ? details.kind : `HTTP ${details.status}`,
      details.errorCode,
      errorMsg,
      details.requestId && `request id ${details.requestId}`,
    ].filter(Boolean);
    super(redactText(`${details.operation} failed: ${parts.join(', ')}`));
    this.operation = details.operation;
    this.kind = details.kind;
    this.status = details.status;
    this.errorCode = details.errorCode;
    this.errorMsg = errorMsg;
    this.requestId = details.requestId;
    this.attempts = details.attempts ?? 1;
  }

  /** True when the service may have acted on the request although we got no usable success answer. */
  get outcomeUnknown(): boolean {
    return this.kind === 'network' || this.kind === 'timeout' || this.kind === 'response-shape' || (this.status !== undefined && this.status >= 500);
  }

  /** True when the same request may succeed if sent again later. */
  get retryable(): boolean {
    return this.kind === 'network' || this.kind === 'timeout' || this.status === 429 || (this.status ?? 0) >= 500;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      operation: this.operation,
      kind: this.kind,
      status: this.status,
      errorCode: this.errorCode,
      requestId: this.requestId,
      attempts: this.attempts,
    };
  }
}
