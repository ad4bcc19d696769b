/** What the state store was doing when it failed. */
export type StoreOperation = 'lock' | 'unlock' | 'load' | 'save' | 'load pages' | 'save pages' | 'slots' | 'load config' | 'save config';

/** Why, in the terms an operator acts on. */
export type StoreErrorKind = 'connection-refused' | 'host-not-found' | 'auth-failed' | 'timeout' | 'cluster-redirect' | 'other';

/**
 * A state store call that failed: which store (never its password), which operation, and why in plain
 * words. The client's own text ("Reached the max retries per request limit") says none of that.
 */
export class StateStoreError extends Error {
  override readonly name = 'StateStoreError';
  constructor(
    readonly store: string,
    readonly operation: StoreOperation,
    readonly kind: StoreErrorKind,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`state store ${store}: ${operation} failed: ${detail}`, options);
  }

  /** The fields logs keep (shared/log/redact.ts reads toJSON). */
  toJSON(): Record<string, unknown> {
    return { store: this.store, operation: this.operation, kind: this.kind };
  }
}

/** `redis://host:port/db` for a STATE_URL-style URL: no password, no user name, no query. */
export function storeName(url: string): string {
  try {
    const parsed = new URL(url);
    const db = parsed.pathname.replace(/^\//, '') || '0';
    return `${parsed.protocol}//${parsed.hostname}:${parsed.port || '6379'}/${db}`;
  } catch {
    return 'redis (unparseable URL)';
  }
}

interface NodeishError {
  code?: string;
  message?: string;
  name?: string;
  lastNodeError?: unknown;
}

/**
 * Sorts a client error into a kind with a sentence saying what to check. `connection` is the last
 * error the client reported while (re)connecting: when retries run out, the command's own error only
 * says so, and the reason is there.
 */
export function describeStoreError(error: unknown, connection: unknown, where: { host: string; port: string }): { kind: StoreErrorKind; detail: string } {
  const own = error as NodeishError;
  // The cluster client wraps the last node's error; a give-up after retries carries no reason at all.
  const gaveUp = own?.name === 'MaxRetriesPerRequestError' || own?.name === 'ClusterAllFailedError' || /Connection is closed|max retries/i.test(own?.message ?? '');
  const cause = (own?.lastNodeError ?? (gaveUp && connection ? connection : error)) as NodeishError;
  const text = cause?.message ?? String(cause);
  const address = `${where.host}:${where.port}`;

  if (cause?.code === 'ECONNREFUSED') return { kind: 'connection-refused', detail: `connection refused: nothing accepts connections on ${address} (is Redis running there, and is the port right?)` };
  if (cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN' || cause?.code === 'EAI_NONAME') {
    return { kind: 'host-not-found', detail: `host not found: ${where.host} does not resolve (${cause.code}; check the host name in STATE_URL)` };
  }
  if (/^(WRONGPASS|NOAUTH)\b|invalid password|AUTH.*without any password/i.test(text)) {
    const missing = /^NOAUTH\b/.test(text);
    return { kind: 'auth-failed', detail: missing ? `authentication failed: ${address} requires a password and STATE_URL gives none` : `authentication failed: ${address} refused the password in STATE_URL` };
  }
  if (cause?.code === 'ETIMEDOUT' || /timed? ?out/i.test(text)) return { kind: 'timeout', detail: `timeout: ${address} did not answer in time (a firewall, security group or route in the way?)` };
  const redirect = /^(MOVED|ASK) \d+ (\S+)/.exec(text);
  if (redirect) {
    return { kind: 'cluster-redirect', detail: `cluster redirect (${redirect[1]} to ${redirect[2]}): ${address} is a Redis Cluster node; add ?cluster=true to STATE_URL` };
  }
  return { kind: 'other', detail: gaveUp && !connection ? `no answer from ${address} (${text})` : text };
}
