/**
 * Keeps secrets out of everything we print. Two nets:
 * - by key: any field whose name says it holds a secret (password, sk, token, authorization…);
 * - by value: every credential the process has loaded is registered here and scrubbed from any
 *   string, so a secret echoed back inside an error message or free text is caught too.
 */

export const REDACTED = '[REDACTED]';

const SECRET_KEY =
  /^(password|passwd|pwd|secret|sk|secret_?key|secret_?access_?key|access_?key|ak|token|security_?token|x-security-token|x-auth-token|x-subject-token|authorization|auth|credentials?)$/i;
const SECRET_SUFFIX = /(password|passwd|secret|token)$/i;

/**
 * Secrets met while working (each invocation's agency credentials, passwords in DCS answers) are
 * registered again and again over a warm process's life, so they are bounded rather than scoped:
 * redaction runs in the logger and in error constructors, which know no invocation, and a secret can
 * still surface after the invocation that met it (an error kept, a later log line). Re-registering
 * makes a secret the newest; past the cap the oldest (long-rotated credentials) are forgotten.
 */
export const MAX_RECENT_SECRETS = 256;
const recentSecrets = new Set<string>();
/** Secrets of the configuration (the state store's password), registered once per cold start: kept for the process. */
const configSecrets = new Set<string>();

/**
 * Register a value (AK, SK, token, password) that must never be printed; `config` for one read once
 * from the configuration, which must never be forgotten. Values under 4 characters are left to the
 * by-key net: scrubbing "ab" from every line would mangle text.
 */
export function registerSecret(value: string | undefined, kind: 'recent' | 'config' = 'recent'): void {
  if (!value || value.length < 4) return;
  if (kind === 'config') {
    configSecrets.add(value);
    return;
  }
  recentSecrets.delete(value);
  recentSecrets.add(value);
  if (recentSecrets.size > MAX_RECENT_SECRETS) recentSecrets.delete(recentSecrets.values().next().value!);
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) || SECRET_SUFFIX.test(key);
}

export function redactText(text: string): string {
  let out = text;
  for (const secrets of [configSecrets, recentSecrets]) {
    for (const secret of secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
  }
  // An Authorization header value carries the AK even when the AK was never registered.
  return out.replace(/(SDK-HMAC-SHA256\s+Access=)[^,\s]+/g, `$1${REDACTED}`);
}

/** A deep copy of `value` with secret-named fields replaced and registered secrets scrubbed from strings. */
export function redact<T>(value: T): T {
  return redactValue(value, new WeakSet()) as T;
}

function redactValue(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (value instanceof Error) {
    const plain: Record<string, unknown> = { name: value.name, message: redactText(value.message) };
    const json = (value as { toJSON?: () => unknown }).toJSON?.();
    if (json && typeof json === 'object') Object.assign(plain, redactValue(json, seen));
    return plain;
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSecretKey(key) && item !== null && item !== undefined && item !== '' ? REDACTED : redactValue(item, seen);
  }
  return out;
}
