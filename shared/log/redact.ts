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

const knownSecrets = new Set<string>();

/**
 * Register a value (AK, SK, token, password) that must never be printed. Values under 4 characters
 * are left to the by-key net: scrubbing "ab" from every line would mangle text.
 */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) knownSecrets.add(value);
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) || SECRET_SUFFIX.test(key);
}

export function redactText(text: string): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
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
