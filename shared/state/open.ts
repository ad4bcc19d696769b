import { ConfigError } from '../huawei/errors';
import { registerSecret } from '../log/redact';
import { FileStateStore } from './file-store';
import { RedisStateStore } from './redis-store';
import type { StateStore, StoreOptions } from './store';

/**
 * STATE_URL picks the store: `redis://[:password@]host:port[/db]` or `rediss://…` (TLS), with
 * `?cluster=true` for a DCS Redis Cluster instance and `?prefix=NAME:` to share one instance between
 * environments; or `file:PATH` for a local run.
 */
export function openStateStore(stateUrl: string | undefined, options: StoreOptions = {}): StateStore {
  // Required: a silent per-instance file store on FunctionGraph would break exactly-once across instances.
  if (!stateUrl) throw new ConfigError('STATE_URL', 'is not set: use redis://… or rediss://… (Huawei DCS) on FunctionGraph, or file:PATH for a local run');
  if (stateUrl.startsWith('file:')) {
    const path = stateUrl.slice('file:'.length);
    if (!path) throw new ConfigError('STATE_URL', 'file: needs a path, e.g. file:.state/restore-pilot.json');
    return new FileStateStore(path, options);
  }
  if (stateUrl.startsWith('redis://') || stateUrl.startsWith('rediss://')) {
    let url: URL;
    try {
      url = new URL(stateUrl);
    } catch {
      throw new ConfigError('STATE_URL', 'is not a valid redis:// URL');
    }
    registerSecret(decodeURIComponent(url.password));
    const cluster = url.searchParams.get('cluster') === 'true';
    const keyPrefix = url.searchParams.get('prefix') ?? options.keyPrefix;
    url.search = '';
    return new RedisStateStore(url.toString(), { ...options, cluster, ...(keyPrefix ? { keyPrefix } : {}) });
  }
  throw new ConfigError('STATE_URL', 'must start with redis://, rediss:// or file:');
}
