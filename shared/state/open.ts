import { ConfigError } from '../huawei/errors';
import { registerSecret } from '../log/redact';
import { FileStateStore } from './file-store';
import { RedisStateStore } from './redis-store';
import type { StateStore, StoreOptions } from './store';

export type StateLocation = { kind: 'file'; path: string } | { kind: 'redis'; url: string; cluster: boolean; keyPrefix: string | undefined };

/**
 * Reads STATE_URL without connecting: `redis://[:password@]host:port[/db]` or `rediss://…` (TLS), with
 * `?cluster=true` for a DCS Redis Cluster instance and `?prefix=NAME:` to share one instance between
 * environments; or `file:PATH` for a local run. A bad value is a ConfigError naming STATE_URL.
 */
export function parseStateUrl(stateUrl: string | undefined): StateLocation {
  // Required: a silent per-instance file store on FunctionGraph would break exactly-once across instances.
  if (!stateUrl) throw new ConfigError('STATE_URL', 'is not set: use redis://… or rediss://… (Huawei DCS) on FunctionGraph, or file:PATH for a local run');
  if (stateUrl.startsWith('file:')) {
    const path = stateUrl.slice('file:'.length);
    if (!path) throw new ConfigError('STATE_URL', 'file: needs a path, e.g. file:.state/restore-pilot.json');
    return { kind: 'file', path };
  }
  if (!stateUrl.startsWith('redis://') && !stateUrl.startsWith('rediss://')) throw new ConfigError('STATE_URL', 'must start with redis://, rediss:// or file:');
  let url: URL;
  let password: string;
  try {
    url = new URL(stateUrl);
    password = decodeURIComponent(url.password);
  } catch {
    throw new ConfigError('STATE_URL', 'is not a valid redis:// URL (percent-encode special characters in the password, e.g. % as %25)');
  }
  registerSecret(password, 'config');
  const cluster = url.searchParams.get('cluster') === 'true';
  const keyPrefix = url.searchParams.get('prefix') ?? undefined;
  url.search = '';
  return { kind: 'redis', url: url.toString(), cluster, keyPrefix };
}

/** Opens the store STATE_URL names (see parseStateUrl). */
export function openStateStore(stateUrl: string | undefined, options: StoreOptions = {}): StateStore {
  const location = parseStateUrl(stateUrl);
  if (location.kind === 'file') return new FileStateStore(location.path, options);
  const keyPrefix = location.keyPrefix ?? options.keyPrefix;
  return new RedisStateStore(location.url, { ...options, cluster: location.cluster, ...(keyPrefix ? { keyPrefix } : {}) });
}
